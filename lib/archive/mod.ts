// The archive engine's public API in one import (the scrape core and the scripts use these names).
export { ArchiveError, type ArchiveErrorKind } from "./archive_error.ts";
export { compareIds, isDecimalId } from "./snowflake.ts";
export {
  type ChannelInfo,
  type DateRange,
  type ExportHeader,
  type GuildInfo,
  guildLabel,
  readExportHeader,
} from "./export_header.ts";
export { countMessages, maxMessageId } from "./export_queries.ts";
export { ExportReader, type RawField, type RawMessage } from "./export_reader.ts";
export { ExportWriter } from "./export_writer.ts";
export {
  type MergeAction,
  mergeExportIntoArchive,
  type MergeOptions,
  type MergeResult,
} from "./merge_export.ts";
export {
  planRepair,
  type RepairOptions,
  type RepairPlan,
  type RepairResult,
  type RepairStatus,
  repairTruncatedExport,
} from "./repair_truncated_export.ts";
export { auditArchive, type AuditFinding } from "./audit_archive.ts";
export {
  compareSnapshots,
  formatSnapshot,
  parseSnapshot,
  snapshotArchives,
  type SnapshotEntry,
} from "./archive_snapshot.ts";
export {
  findArchiveFiles,
  type FindArchiveFilesOptions,
  seededChannelId,
} from "./find_archive_files.ts";
export { findSeededArchives, type SeededArchive } from "./find_seeded_archives.ts";
export { findTempChannelIds } from "./find_temp_channel_ids.ts";
export {
  isLexicallyWithin,
  isPhysicallyWithin,
  isWithinRoot,
  physicalPath,
  stripTrailingSlashes,
} from "../fs/path_within_root.ts";
export { channelMapPath, readChannelMap, recordMapping, writeChannelMap } from "./channel_map.ts";
export { bootstrapChannelMap } from "./bootstrap_channel_map.ts";
export { resolveDestination } from "./resolve_destination.ts";
export { archiveFileName, sanitizeNamePart } from "./archive_file_name.ts";
export { deriveDestination } from "./derive_destination.ts";
export {
  quarantineTemp,
  type SalvageDeps,
  salvageStaleTemps,
  type SalvageStaleTempsOptions,
  type SalvageStaleTempsResult,
} from "./salvage_stale_temps.ts";
