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

/** Admin-issued password reset links: how long one stays usable, in hours. */
export const resetLinkHours = { min: 1, max: 72, default: 24 } as const;

const resetToken = z.string().min(20, 'Not a reset link').max(100, 'Not a reset link');

export const createResetLinkInput = z.object({
  userId: z.string().min(1).max(64),
  expiresInHours: z
    .number()
    .int()
    .min(resetLinkHours.min)
    .max(resetLinkHours.max)
    .default(resetLinkHours.default),
});

export const resetLinkInput = z.object({ token: resetToken });

export const resetPasswordInput = z.object({ token: resetToken, password: passwordSchema });
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}
