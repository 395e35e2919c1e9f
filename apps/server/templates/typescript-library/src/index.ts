export { slugify } from './slugify.js';
export { chunk } from './chunk.js';
