// Member roles in sentences: "an editor", "a reviewer", "an owner".
export const withArticle = (role: string): string => `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}`;
