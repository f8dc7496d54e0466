/** The family and style a font file declares, as fontconfig and Pango match them. */
export interface FontFace {
  family: string;
  style: string;
}

/**
 * Read the family and style names from the `name` table of a TrueType/OpenType font (OpenType spec,
 * "name — Naming Table"): the typographic names (IDs 16, 17) when present, else the legacy ones (1, 2);
 * Windows Unicode (UTF-16BE, English) records preferred, Macintosh Roman otherwise. `undefined` for
 * anything that is not a single sfnt font (collections, Type 1, corrupt files).
 */
export function readFontFace(bytes: Uint8Array): FontFace | undefined {
  if (bytes.byteLength < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = view.getUint32(0);
  // 0x00010000 TrueType outlines, 'OTTO' CFF outlines, 'true' old Apple TrueType.
  if (tag !== 0x00010000 && tag !== 0x4f54544f && tag !== 0x74727565) return undefined;
  const numTables = view.getUint16(4);
  let nameOffset = -1;
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    if (rec + 16 > bytes.byteLength) return undefined;
    if (view.getUint32(rec) === 0x6e616d65 /* 'name' */) nameOffset = view.getUint32(rec + 8);
  }
  if (nameOffset < 0 || nameOffset + 6 > bytes.byteLength) return undefined;
  const count = view.getUint16(nameOffset + 2);
  const strings = nameOffset + view.getUint16(nameOffset + 4);
  const found = new Map<number, { rank: number; text: string }>();
  for (let i = 0; i < count; i++) {
    const rec = nameOffset + 6 + 12 * i;
    if (rec + 12 > bytes.byteLength) break;
    const platform = view.getUint16(rec);
    const encoding = view.getUint16(rec + 2);
    const language = view.getUint16(rec + 4);
    const id = view.getUint16(rec + 6);
    const length = view.getUint16(rec + 8);
    const start = strings + view.getUint16(rec + 10);
    if (![1, 2, 16, 17].includes(id) || start + length > bytes.byteLength) continue;
    let rank: number;
    let text: string;
    if (platform === 3 && (encoding === 1 || encoding === 10)) {
      rank = language === 0x409 ? 0 : 1;
      text = new TextDecoder('utf-16be').decode(bytes.subarray(start, start + length));
    } else if (platform === 1 && encoding === 0) {
      rank = 2;
      text = new TextDecoder('latin1').decode(bytes.subarray(start, start + length));
    } else continue;
    const best = found.get(id);
    if (!best || rank < best.rank) found.set(id, { rank, text: text.trim() });
  }
  const family = found.get(16)?.text || found.get(1)?.text;
  const style = found.get(17)?.text || found.get(2)?.text || 'Regular';
  return family ? { family, style } : undefined;
}
