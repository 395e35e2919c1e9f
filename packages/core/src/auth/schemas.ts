import { z } from 'zod';
import { nameSchema } from '../names/name-schema.ts';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));

// Length bounds keep the KDF's input small and predictable; argon2 hashes the whole password.
export const passwordSchema = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(256, 'Use at most 256 characters');

export const displayNameSchema = nameSchema({ max: 80, required: 'Enter your name' });

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: displayNameSchema,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: emailSchema,
  // Sign-in never reveals the password policy, so any bounded string is accepted here.
  password: z.string().min(1, 'Enter your password').max(256),
});
export type SignInInput = z.infer<typeof signInInput>;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}
