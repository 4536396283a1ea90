// A short "why" for a failed file-system step, to end an operator's sentence ("Cannot create X: <why>").

/** Permission, a missing folder, a file in the way; else the error's own message. */
export function fsReason(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.NotFound) return "the folder does not exist";
  if (err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory) {
    return "a file is in the way of a folder";
  }
  return err instanceof Error ? err.message : String(err);
}
