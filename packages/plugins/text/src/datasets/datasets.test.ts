import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { classificationTask, nodeEnvironment, prepareData, silentLogger, type TaskPlan } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { readVocabFile } from '../fixture/tiny-bert.js';
import { bertTokenizerConfigJson, bertTokenizerJson } from '../hf/tokenizer-json.js';
import { encodeTexts, encodeWindows } from '../hf/tokenizer.js';
import { BERT_VOCAB } from '../test-utils/paths.js';
import { parseCsv } from '@graft/core/internal';
import { csvOptions } from './csv.js';
import { jsonlOptions } from './jsonl.js';
import { csvDataset, jsonlDataset } from '../plugin.js';
import { mailBody, spamAssassinDataset, spamAssassinOptions } from './spam-assassin.js';
import { nodeFileStore } from '@graft/core';

let tokDir: string;
let dataDir: string;
const ctx = () => ({ configDir: dataDir, seed: 3, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' });

beforeAll(async () => {
  tokDir = mkdtempSync(join(tmpdir(), 'graft-tok-'));
  const vocab = await readVocabFile(BERT_VOCAB);
  await nodeFileStore().write(join(tokDir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocab)));
  await nodeFileStore().write(join(tokDir, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfigJson(512)));
  dataDir = mkdtempSync(join(tmpdir(), 'graft-data-'));
});

describe('encodeTexts', () => {
  it('truncates like Hugging Face (keeping [SEP]), pads with [PAD], and counts what it cut', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(tokDir);
    const texts = ['Hello, world!', 'The unaffable man walked into a very long sentence about nothing.', 'hi', 'x '.repeat(2000)];
    const ours = encodeTexts(tokenizer, texts, 8);
    // Reference: transformers.js's untruncated ids, cut as Python `transformers` does (the text is
    // shortened and [SEP] kept). transformers.js 4.3's own `truncation` drops the final [SEP] instead.
    const expected = texts.flatMap((t) => {
      const full = tokenizer.encode(t);
      const cut = full.length > 8 ? [...full.slice(0, 7), 102] : full;
      return [...cut, ...new Array(8 - cut.length).fill(0)];
    });
    expect(ours.input_ids.shape).toEqual([4, 8]);
    expect(Array.from(ours.input_ids.data)).toEqual(expected);
    expect(Array.from(ours.attention_mask.data)).toEqual(expected.map((id) => (id === 0 ? 0 : 1)));
    expect(ours.truncated).toBe(2);
    expect(Array.from(ours.input_ids.data.subarray(0, 6))).toEqual([101, 7592, 1010, 2088, 999, 102]);
  });
});

describe('encodeWindows', () => {
  it('cuts each text into consecutive [CLS] … [SEP] windows that together hold its first tokens', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(tokDir);
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
    const texts = [long, 'short text', long.split(' ').slice(0, 7).join(' ')];
    const { input_ids, attention_mask, truncated, length } = encodeWindows(tokenizer, texts, 6, 3);
    const [rows] = input_ids.shape as [number, number];
    // 15 words → 4 + 4 + 4 tokens kept in 3 windows (cut); 2 words → 1 window; 7 words → 4 + 3.
    expect(rows).toBe(3 + 1 + 2);
    expect(length).toBe(6);
    expect(truncated).toBe(1);
    const ids = Array.from(input_ids.data as Int32Array);
    const mask = Array.from(attention_mask.data as Int32Array);
    const row = (i: number) => ids.slice(i * 6, i * 6 + mask.slice(i * 6, i * 6 + 6).reduce((a, b) => a + b, 0));
    const body = (i: number) => row(i).slice(1, -1);
    for (let i = 0; i < rows; i++) {
      expect(row(i)[0]).toBe(101); // [CLS] in bert-base-uncased's vocabulary
      expect(row(i).at(-1)).toBe(102); // [SEP]
    }
    const expected = tokenizer.encode(long, { add_special_tokens: false });
    expect([...body(0), ...body(1), ...body(2)]).toEqual(expected.slice(0, 12));
    expect(body(3)).toEqual(tokenizer.encode('short text', { add_special_tokens: false }));
    expect(row(5)).toHaveLength(5);
    expect(ids.slice(5 * 6 + 5)).toEqual([tokenizer.pad_token_id]);
  });
});

describe('text/jsonl', () => {
  it('reads texts and labels, masks missing labels and reports truncation', async () => {
    writeFileSync(
      join(dataDir, 'train.jsonl'),
      [
        { text: 'good movie', label: 'pos' },
        { text: 'a very long and rather boring film that went on and on and on', label: 'neg' },
        { text: 'no label here' },
        { text: 'great', label: 'pos' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const data = await jsonlDataset.load(jsonlOptions.parse({ path: 'train.jsonl', tokenizer: tokDir, maxLength: 6, testFraction: 0 }), ctx());
    expect(data.modality).toBe('text');
    expect(data.targets).toEqual({ label: { kind: 'classes', classes: ['neg', 'pos'] } });
    expect(data.train.size).toBe(4);
    expect(data.train.inputs.input_ids!.shape).toEqual([4, 6]);
    expect(Array.from(data.train.targets.label!.data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(data.train.targets.label!.mask!)).toEqual([1, 1, 0, 1]);
    expect(data.notes).toEqual([
      'No test split given and testFraction is 0: no held-out test texts, so final metrics cannot be measured on unseen data.',
      '1 of 4 texts were longer than 6 tokens and were truncated.',
      '1 of 4 texts have no label.',
    ]);
  });

  it('accepts a UTF-8 byte-order mark', async () => {
    writeFileSync(join(dataDir, 'bom.jsonl'), '\ufeff{"text":"good movie","label":"pos"}\r\n{"text":"bad film","label":"neg"}\r\n');
    const data = await jsonlDataset.load(jsonlOptions.parse({ path: 'bom.jsonl', tokenizer: tokDir, testFraction: 0 }), ctx());
    expect(Array.from(data.train.targets.label!.data)).toEqual([1, 0]);
  });

  const reviews = (n: number, extra: (i: number) => object = () => ({})) =>
    Array.from({ length: n }, (_, i) => JSON.stringify({ text: `review number ${i}`, label: i % 4 === 0 ? 'neg' : 'pos', ...extra(i) })).join('\n');

  it('carves a stratified test split when none is given, and says so first', async () => {
    writeFileSync(join(dataDir, 'reviews.jsonl'), reviews(100));
    const data = await jsonlDataset.load(jsonlOptions.parse({ path: 'reviews.jsonl', tokenizer: tokDir }), ctx());
    expect(data.test!.size).toBe(20);
    expect(Array.from(data.test!.targets.label!.data).filter((c) => c === 0)).toHaveLength(5); // 25 neg × 0.2
    expect(data.train.size).toBe(80);
    expect(data.notes![0]).toBe('No test split given: 20 texts (testFraction 0.2, stratified by "label") were held out of reviews.jsonl as the test split.');
    const again = await jsonlDataset.load(jsonlOptions.parse({ path: 'reviews.jsonl', tokenizer: tokDir }), ctx());
    expect(Array.from(again.test!.inputs.input_ids!.data)).toEqual(Array.from(data.test!.inputs.input_ids!.data));
  });

  it('honours a split field in the rows, and refuses an unknown split name', async () => {
    const split = (i: number) => (i < 10 ? 'test' : i < 15 ? 'dev' : i < 20 ? 'train' : undefined);
    writeFileSync(join(dataDir, 'split.jsonl'), reviews(40, (i) => (split(i) ? { split: split(i) } : {})));
    const data = await jsonlDataset.load(jsonlOptions.parse({ path: 'split.jsonl', tokenizer: tokDir }), ctx());
    expect([data.train.size, data.validation!.size, data.test!.size]).toEqual([25, 5, 10]);
    expect(data.notes![0]).toBe('split.jsonl: the "split" field put 25 texts in train, 5 in validation, 10 in test.');
    writeFileSync(join(dataDir, 'badsplit.jsonl'), reviews(3, () => ({ split: 'holdout' })));
    await expect(jsonlDataset.load(jsonlOptions.parse({ path: 'badsplit.jsonl', tokenizer: tokDir }), ctx())).rejects.toThrow(/GRAFT_DATA_INVALID: "split" is "holdout", not a split name at badsplit.jsonl:1/);
  });

  it('makes one target per label field, each with its own classes and mask', async () => {
    writeFileSync(
      join(dataDir, 'news.jsonl'),
      [
        { text: 'stocks fall', topic: 'business', tone: 'neg' },
        { text: 'team wins', topic: 'sport', tone: 'pos' },
        { text: 'market calm', topic: 'business' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const o = jsonlOptions.parse({ path: 'news.jsonl', tokenizer: tokDir, labelField: ['topic', 'tone'], testFraction: 0 });
    const data = await jsonlDataset.load(o, ctx());
    expect(data.targets).toEqual({ topic: { kind: 'classes', classes: ['business', 'sport'] }, tone: { kind: 'classes', classes: ['neg', 'pos'] } });
    expect(data.defaultTarget).toBe('topic');
    expect(Array.from(data.train.targets.topic!.data)).toEqual([0, 1, 0]);
    expect(data.train.targets.topic!.mask).toBeUndefined();
    expect(Array.from(data.train.targets.tone!.mask!)).toEqual([1, 1, 0]);
    await expect(jsonlDataset.load(jsonlOptions.parse({ ...o, classes: ['a', 'b'] }), ctx())).rejects.toMatchObject({ code: 'GRAFT_CONFIG_INVALID' });
  });

  it('two label fields are two tasks on one data group; a target the data lacks exits 2 before training', async () => {
    const options = jsonlOptions.parse({ path: 'news.jsonl', tokenizer: tokDir, labelField: ['topic', 'tone'], testFraction: 0 });
    const task = (name: string, target: string): TaskPlan => ({
      name,
      type: classificationTask,
      target,
      data: { plugin: jsonlDataset, options, key: 'news', where: 'tasks[0].data' },
      head: { hidden: [], dropout: 0 },
    });
    const data = await prepareData([task('topic', 'topic'), task('tone', 'tone')], { seed: 1, configDir: dataDir, env: nodeEnvironment() });
    expect(data.groups).toHaveLength(1);
    expect(data.groups[0]!.tasks.map((t) => [t.name, t.target, t.headSize])).toEqual([
      ['topic', 'topic', 2],
      ['tone', 'tone', 2],
    ]);
    const e = await prepareData([task('x', 'sentiment')], { seed: 1, configDir: dataDir, env: nodeEnvironment() }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'GRAFT_LABELS_MISMATCH', exitCode: 2 });
    expect((e as Error).message).toContain('Valid choices: topic, tone');
  });

  it('tokenizes with the source’s tokenizer when it names none, and says what to do when there is none', async () => {
    writeFileSync(join(dataDir, 'small.jsonl'), '{"text":"good movie","label":"pos"}\n{"text":"bad film","label":"neg"}\n');
    const own = await jsonlDataset.load(jsonlOptions.parse({ path: 'small.jsonl', tokenizer: tokDir }), ctx());
    const fromSource = await jsonlDataset.load(jsonlOptions.parse({ path: 'small.jsonl' }), { ...ctx(), sourcePreprocessing: { tokenizer: tokDir } });
    expect(Array.from(fromSource.train.inputs.input_ids!.data)).toEqual(Array.from(own.train.inputs.input_ids!.data));
    await expect(jsonlDataset.load(jsonlOptions.parse({ path: 'small.jsonl' }), ctx())).rejects.toThrow(
      'GRAFT_CONFIG_INVALID: The text dataset has no tokenizer, and the source provides none at tasks[0].data.tokenizer. Set `tokenizer` to a Hugging Face directory, a hub id or a WordPiece vocab.txt, or use a source that has one (text/bert, text/bert-init).',
    );
    await expect(jsonlDataset.load(jsonlOptions.parse({ path: 'small.jsonl' }), { ...ctx(), sourcePreprocessing: { tokenizer: 42 } })).rejects.toMatchObject({
      code: 'GRAFT_PLUGIN_INVALID',
      message: expect.stringContaining('gives `tokenizer` as number'),
    });
  });

  it('names the line and the fields when the text field is missing', async () => {
    writeFileSync(join(dataDir, 'bad.jsonl'), '{"text":"ok","label":1}\n{"body":"x","label":0}\n');
    await expect(jsonlDataset.load(jsonlOptions.parse({ path: 'bad.jsonl', tokenizer: tokDir }), ctx())).rejects.toThrow(
      'GRAFT_DATA_INVALID: Line 2 has no string field "text" at bad.jsonl:2. Valid choices: body, label. Set `textField` to the field that holds the text.',
    );
  });
});

describe('text/csv', () => {
  it('parses quoted fields with delimiters, quotes and newlines', () => {
    expect(parseCsv('a,b\r\n"x, ""y""\nz",1\n', 'f')).toEqual({ header: ['a', 'b'], rows: [['x, "y"\nz', '1']] });
  });

  it('loads textField / labelField columns with splits', async () => {
    writeFileSync(join(dataDir, 'train.csv'), 'id,body,spam\n1,"win money, now",1\n2,see you at lunch,0\n');
    writeFileSync(join(dataDir, 'test.csv'), 'id,body,spam\n3,free prize,1\n');
    const data = await csvDataset.load(
      csvOptions.parse({ path: 'train.csv', testPath: 'test.csv', textField: 'body', labelField: 'spam', tokenizer: tokDir }),
      ctx(),
    );
    expect(data.targets.label).toEqual({ kind: 'classes', classes: ['0', '1'] });
    expect(Array.from(data.train.targets.label!.data)).toEqual([1, 0]);
    expect(data.test!.size).toBe(1);
    expect(data.test!.inputs.input_ids!.shape[1]).toBe(data.train.inputs.input_ids!.shape[1]);
    expect(data.notes).toEqual([]);
    await expect(
      csvDataset.load(csvOptions.parse({ path: 'train.csv', textField: 'text', tokenizer: tokDir }), ctx()),
    ).rejects.toThrow('GRAFT_DATA_INVALID: The CSV header has no column "text" at train.csv. Valid choices: id, body, spam.');
  });
});

describe('text/spam-assassin', () => {
  it('samples ham and spam bodies with seeded splits', async () => {
    const o = spamAssassinOptions.parse({ tokenizer: tokDir, maxPerClass: 10, maxLength: 32, validationFraction: 0.1 });
    const data = await spamAssassinDataset.load(o, ctx());
    expect(data.targets.label).toEqual({ kind: 'classes', classes: ['ham', 'spam'] });
    expect(data.train.size + data.validation!.size + data.test!.size).toBe(20);
    expect(data.test!.size).toBe(4);
    const all = [...data.train.targets.label!.data, ...data.validation!.targets.label!.data, ...data.test!.targets.label!.data];
    expect(all.filter((l) => l === 1).length).toBe(10);
    expect(data.notes![0]).toBe('SpamAssassin: 20 messages from easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2.');
    expect(data.notes![1]).toMatch(/^\d+ of 20 texts were longer than 32 tokens and were truncated\.$/);
    const again = await spamAssassinDataset.load(o, ctx());
    expect(Array.from(again.train.inputs.input_ids!.data)).toEqual(Array.from(data.train.inputs.input_ids!.data));
  });

  it('splits mails into windows, each a sample with its mail’s label, and no mail in two splits', async () => {
    const one = await spamAssassinDataset.load(spamAssassinOptions.parse({ tokenizer: tokDir, maxPerClass: 10, maxLength: 24 }), ctx());
    const o = spamAssassinOptions.parse({ tokenizer: tokDir, maxPerClass: 10, maxLength: 24, windows: 3 });
    const data = await spamAssassinDataset.load(o, ctx());
    const rows = data.train.size + data.test!.size;
    expect(rows).toBeGreaterThan(20);
    expect(rows).toBeLessThanOrEqual(60);
    expect(data.notes).toContain(`20 texts gave ${rows} windows of up to 24 tokens.`);
    // Each mail's first window is its first 22 tokens, as without windows (the labels follow the mails).
    const first = (d: typeof data, i: number) => Array.from(d.test!.inputs.input_ids!.data.subarray(i * 24, i * 24 + 24));
    expect(first(data, 0)).toEqual(first(one, 0));
    const spam = (d: typeof data) => d.test!.targets.label!.data.reduce((n, l) => n + l, 0);
    expect(spam(data)).toBeGreaterThanOrEqual(spam(one));
  });

  it('keeps the body of a mail', () => {
    expect(mailBody('From: a\r\nSubject: b\r\n\r\nHello\n\nthere')).toBe('Hello\n\nthere');
  });
});
