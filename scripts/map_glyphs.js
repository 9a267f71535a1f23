#!/usr/bin/env node
// SDF glyph ranges for MapLibre GL, generated with fontnik (Mapbox's FreeType-based generator;
// N-API prebuilt binary, runs on Node 18 and 20). Run by scripts/map_assets.sh.
//
// Usage: node scripts/map_glyphs.js <out-dir> <font.ttf>...
// Writes <out-dir>/<family> <style>/<start>-<end>.pbf, e.g. "Noto Sans Regular/0-255.pbf": the
// directory name is the fontstack a style names in `text-font`.
'use strict';

const fs = require('fs');
const path = require('path');
const { promisify } = require('util');
const fontnik = require('fontnik');

const load = promisify(fontnik.load);
const range = promisify(fontnik.range);

// Only the 256-code-point ranges that Vietnamese labels use (MapLibre asks for the range of each
// character it draws; a range we do not build is a 404 and that character is left out).
const RANGE_STARTS = [
  0,     // U+0000-00FF Basic Latin, Latin-1 (à á â ã è é ê ì í ò ó ô õ ù ú ý)
  256,   // U+0100-01FF Latin Extended-A and most of -B (ă đ Đ ĩ ũ ơ ư)
  512,   // U+0200-02FF rest of Latin Extended-B, spacing modifier letters
  768,   // U+0300-03FF combining marks U+0300-036F (text stored decomposed, NFD)
  7680,  // U+1E00-1EFF Latin Extended Additional (ạ ả ấ ầ ẩ ẫ ậ ắ … ỳ ỵ ỷ ỹ)
  8192,  // U+2000-20FF punctuation (– — ‘ ’ “ ” …) and currency (₫)
];

// Every precomposed Vietnamese letter: 12 vowels × 6 tones, upper and lower case, plus đ Đ.
function vietnameseLetters() {
  const tones = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  const letters = ['đ', 'Đ'];
  for (const vowel of 'aăâeêioôơuưy') {
    for (const tone of tones) {
      const lower = (vowel + tone).normalize('NFC');
      letters.push(lower, lower.toUpperCase());
    }
  }
  return letters;
}

// Refuse a font or range list that would leave Vietnamese letters undrawn.
function checkCoverage(face) {
  const points = new Set(face.points);
  const ranges = new Set(RANGE_STARTS);
  for (const letter of vietnameseLetters()) {
    const cp = letter.codePointAt(0);
    if (!points.has(cp)) throw new Error(`${face.family_name} ${face.style_name} lacks ${letter}`);
    if (!ranges.has(cp - (cp % 256))) throw new Error(`no glyph range built for ${letter}`);
  }
}

async function buildFont(fontPath, outDir) {
  const font = fs.readFileSync(fontPath);
  const faces = await load(font);
  if (faces.length !== 1) throw new Error(`${fontPath}: expected one face, found ${faces.length}`);
  checkCoverage(faces[0]);
  const fontstack = `${faces[0].family_name} ${faces[0].style_name}`;
  const dir = path.join(outDir, fontstack);
  fs.mkdirSync(dir, { recursive: true });
  await Promise.all(RANGE_STARTS.map(async (start) => {
    const pbf = await range({ font, start, end: start + 255 });
    fs.writeFileSync(path.join(dir, `${start}-${start + 255}.pbf`), pbf);
  }));
  return fontstack;
}

async function main(argv) {
  const [outDir, ...fonts] = argv;
  if (!outDir || fonts.length === 0) {
    throw new Error('usage: node scripts/map_glyphs.js <out-dir> <font.ttf>...');
  }
  for (const fontPath of fonts) {
    console.log(`glyphs: "${await buildFont(fontPath, outDir)}" (${RANGE_STARTS.length} ranges)`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`map_glyphs: ${err.message}`);
  process.exit(1);
});
