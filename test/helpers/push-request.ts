/** Builds push requests for tests: Connect PushRequests in binary form. */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** A PushRequest as protoc-generated encoders write it (field by field, length-delimited). */
export function encodePushRequest(series: { labels: [string, string][]; samples: { id: string; raw: Uint8Array }[] }[]): Uint8Array {
  const w = new BinaryWriter();
  for (const s of series) {
    w.tag(1, WireType.LengthDelimited).fork();
    for (const [name, value] of s.labels) w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(name).tag(2, WireType.LengthDelimited).string(value).join();
    for (const sample of s.samples) w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(sample.raw).tag(2, WireType.LengthDelimited).string(sample.id).join();
    w.join();
  }
  return w.finish();
}

