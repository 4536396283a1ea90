// UTC timestamps in the two shapes the suite uses: log lines and file names.

/** `YYYY-MM-DDTHH:MM:SSZ` */
export function utcSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** `YYYYMMDDTHHMMSSZ`, for file names. */
export function utcFileStamp(date: Date): string {
  return utcSeconds(date).replaceAll("-", "").replaceAll(":", "");
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
