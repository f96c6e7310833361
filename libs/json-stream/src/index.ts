/**
 * @retina/json-stream: one streaming reader for JSON files of records — a COCO annotation file (an
 * object of record arrays) or a COCO results file (one array) — with located errors.
 */
export {
  byteOrderMarkLength,
  JsonRecordScanner,
  JsonScanError,
  SectionTypeError,
  TopLevelTypeError,
  type RecordPlace,
  type SectionHandlers,
} from './scanner';
