// The core's log: `[<UTC YYYY-MM-DDTHH:MM:SSZ>] <text>` lines handed to a sink (stderr in the script).
import { utcSeconds } from "../cli/utc_stamp.ts";

export type LogSink = (line: string) => void;

export interface CoreLog {
  (text: string): void;
}

export function makeCoreLog(sink: LogSink, now: () => Date = () => new Date()): CoreLog {
  return (text: string) => {
    for (const line of text.split("\n")) sink(`[${utcSeconds(now())}] ${line}`);
  };
}
