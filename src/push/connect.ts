/**
 * Pyroscope's push API, `push.v1.PusherService/Push`, in the Connect
 * protocol (unary): what Grafana Alloy's `pyroscope.write` sends.
 *
 *   message PushRequest      { repeated RawProfileSeries series = 1; }
 *   message RawProfileSeries { repeated types.v1.LabelPair labels = 1; repeated RawSample samples = 2; }
 *   message RawSample        { bytes raw_profile = 1; string ID = 2; }
 *   message LabelPair        { string name = 1; string value = 2; }
 *
 * Why no generated code: the request is three small messages, and the
 * response is empty. @bufbuild/protobuf's wire reader (the runtime that
 * generated code uses) reads the binary form directly; the JSON form is
 * proto3's JSON mapping (bytes as base64, lowerCamelCase or original field
 * names), checked with zod like the config. Generating code would need the
 * buf toolchain for four fields. Connect errors are `{code, message}` JSON
 * with the HTTP status of the code (connectrpc.com/docs/protocol).
 */
import { base64Decode, BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { z } from 'zod';
import { ERRORS, HeapwatchError, type ErrorCode } from '../errors.js';

export interface RawSeries {
  labels: { name: string; value: string }[];
  samples: { id: string; rawProfile: Uint8Array }[];
}

/** Decodes a binary PushRequest; a truncated or garbled one is HW_ERR_PUSH_MALFORMED. */
export function decodePushRequest(body: Uint8Array): RawSeries[] {
  try {
    const series: RawSeries[] = [];
    const r = new BinaryReader(body);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1 && wire === WireType.LengthDelimited) series.push(decodeSeries(r.bytes()));
      else r.skip(wire, field);
    }
    return series;
  } catch (err) {
    if (err instanceof HeapwatchError) throw err;
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `PushRequest: ${(err as Error).message}`, { cause: err });
  }
}

function decodeSeries(bytes: Uint8Array): RawSeries {
  const out: RawSeries = { labels: [], samples: [] };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) out.labels.push(decodeLabel(r.bytes()));
    else if (field === 2 && wire === WireType.LengthDelimited) out.samples.push(decodeSample(r.bytes()));
    else r.skip(wire, field);
  }
  return out;
}

function decodeLabel(bytes: Uint8Array): { name: string; value: string } {
  const r = new BinaryReader(bytes);
  const label = { name: '', value: '' };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    // strict: invalid UTF-8 is an error, not U+FFFD.
    if (field === 1 && wire === WireType.LengthDelimited) label.name = r.string(true);
    else if (field === 2 && wire === WireType.LengthDelimited) label.value = r.string(true);
    else r.skip(wire, field);
  }
  return label;
}

function decodeSample(bytes: Uint8Array): { id: string; rawProfile: Uint8Array } {
  const r = new BinaryReader(bytes);
  const sample: { id: string; rawProfile: Uint8Array } = { id: '', rawProfile: new Uint8Array(0) };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) sample.rawProfile = r.bytes();
    else if (field === 2 && wire === WireType.LengthDelimited) sample.id = r.string(true);
    else r.skip(wire, field);
  }
  return sample;
}

const base64Bytes = z.string().transform((s, ctx) => {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'expected base64' });
    return z.NEVER;
  }
  return base64Decode(s);
});

const labelJson = z.object({ name: z.string().default(''), value: z.string().default('') });
const sampleJson = z
  .object({ rawProfile: base64Bytes.optional(), raw_profile: base64Bytes.optional(), ID: z.string().optional() })
  .transform((s) => ({ id: s.ID ?? '', rawProfile: s.rawProfile ?? s.raw_profile ?? new Uint8Array(0) }));
const seriesJson = z.object({ labels: z.array(labelJson).default([]), samples: z.array(sampleJson).default([]) });
const requestJson = z.object({ series: z.array(seriesJson).default([]) });

/** Decodes a JSON PushRequest (proto3 JSON mapping). */
export function decodePushRequestJson(body: Uint8Array): RawSeries[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `PushRequest JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = requestJson.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `PushRequest JSON: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data.series;
}

/** Connect error codes for heapwatch's codes, by HTTP status as Connect maps them. */
export function connectCode(code: ErrorCode): string {
  const status = ERRORS[code].status;
  if (code === 'HW_ERR_PUSH_CONTENT_TYPE') return 'invalid_argument';
  if (status === 400 || status === 422) return 'invalid_argument';
  if (status === 401) return 'unauthenticated';
  if (status === 404) return 'not_found';
  if (status === 409) return 'aborted';
  if (status === 413 || status === 429) return 'resource_exhausted';
  if (status === 503) return 'unavailable';
  return 'internal';
}

/** HTTP status Connect uses for each of its codes. */
export const CONNECT_STATUS: Readonly<Record<string, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  aborted: 409,
  resource_exhausted: 429,
  unavailable: 503,
  internal: 500,
};
