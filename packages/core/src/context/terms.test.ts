import { describe, expect, it } from 'vitest';
import { distinctTerms, stem, termCounts } from './terms.ts';

describe('terms', () => {
  it('splits camelCase, PascalCase, acronyms and snake_case and keeps the whole identifier', () => {
    expect(distinctTerms('parseDateRange')).toEqual(['parsedaterang', 'pars', 'date', 'rang']);
    expect(distinctTerms('HTTPServerConfig')).toEqual(['httpserverconfig', 'http', 'server', 'config']);
    expect(distinctTerms('MAX_RETRY_COUNT')).toEqual(['max_retry_count', 'max', 'retry', 'count']);
    expect(distinctTerms('_internal')).toEqual(['_internal', 'internal']);
  });

  it('drops English glue words and one-letter words but keeps code words', () => {
    expect(distinctTerms('Please fix the bug in a function where x is null')).toEqual([
      'bug',
      'function',
      'null',
    ]);
  });

  it('stems plurals and verb forms so prompt and code meet', () => {
    expect(stem('tokens')).toBe('token');
    expect(stem('parsing')).toBe(stem('parse'));
    expect(stem('parsed')).toBe(stem('parses'));
    expect(stem('entries')).toBe('entry');
    expect(stem('class')).toBe('class');
    expect(stem('status')).toBe('status');
    expect(stem('box')).toBe('box');
  });

  it('counts term frequencies with a weight', () => {
    const counts = termCounts('session sessions getSession', new Map(), 2);
    expect(counts.get('session')).toBe(6);
    expect(counts.get('getsession')).toBe(2);
    expect(counts.get('get')).toBe(2);
  });

  it('reads non-ASCII identifiers', () => {
    expect(distinctTerms('const größe = berechneGröße()')).toEqual([
      'const',
      'größ',
      'berechnegröß',
      'berechn',
    ]);
  });
});
