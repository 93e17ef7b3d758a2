/**
 * Text a server sends is untrusted, in error answers and in 200 answers alike. This module is the
 * one place that makes it safe: {@link serverTextFilter} builds, for one waiter, the function every
 * string read from an answer passes through before anything else sees it (the classifier for
 * error bodies, the service mechanism for job statuses). It
 *
 * 1. removes terminal escape sequences whole (ANSI CSI such as colours or a screen clear, OSC such
 *    as OSC-8 hyperlinks and window titles, DCS/SOS/PM/APC strings, two-byte escapes), in their
 *    7-bit and C1 forms;
 * 2. removes invisible format characters (Unicode category Cf: the bidi overrides and isolates,
 *    zero-width characters, the BOM), so nothing can reorder or hide text;
 * 3. turns every other control character (C0, DEL, C1) and line or paragraph separator into a
 *    space, runs of them into one, and lone surrogates into U+FFFD;
 * 4. replaces every secret the waiter holds by `***` (see {@link redactSecrets}): raw, URL-encoded
 *    (by any rules, once or twice), JSON-escaped, base64 (standard or URL-safe, at any offset
 *    within a longer encoded text) and hex — after steps 1–3, so a secret broken up by escapes or
 *    invisible characters is found whole;
 * 5. bounds the length to {@link MAX_SERVER_TEXT} characters — after the redaction, so a cut can
 *    never leave the beginning of a secret behind.
 *
 * The secrets live only in the closure of the returned function: nothing serializable holds them.
 *
 * @packageDocumentation
 */

/** Longest text kept from one string of a server's answer, in UTF-16 code units (an ellipsis marks a cut). */
export const MAX_SERVER_TEXT = 300;

/** What replaces a secret. */
export const REDACTED = "***";

/** Makes one string from a server safe to show, record or store. */
export type ServerTextFilter = (text: string) => string;

/**
 * Escape sequences: CSI (`ESC [` or C1 `\x9b`, parameters, intermediates, final byte); the string
 * controls OSC, DCS, SOS, PM, APC (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` or their C1 bytes)
 * up to BEL, ST (`ESC \` or `\x9c`) or the end of the text; any other `ESC` with its intermediates
 * and final byte.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const ESCAPE_SEQUENCE =
    /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[ -/]*[0-~]?/g;
/* eslint-enable no-control-regex */
/** Invisible format characters: bidi controls, zero-width characters, BOM, soft hyphen, tags... */
const FORMAT_CHARACTERS = /\p{Cf}+/gu;
/** Control characters and line/paragraph separators, turned into one space per run. */
const CONTROL_RUNS = /[\p{Cc}\u2028\u2029]+/gu;
/** A surrogate that is not half of a pair (JSON can carry one; it is not text). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The filter of one waiter: `secrets` are the secrets it holds (empty strings are ignored). See the module documentation for what it does, in which order.
 */
export function serverTextFilter(secrets: readonly string[]): ServerTextFilter {
    const forms = secretForms(secrets);
    return (text) => clipText(replaceForms(stripControls(text), forms));
}

/**
 * Replace every secret of `secrets` occurring in `text` with `***`: raw, URL-encoded and
 * JSON-escaped (by the escapes of several encoders), in any letter case; base64-encoded (standard
 * or URL-safe alphabet) and hex-encoded, also inside a longer encoded text. Overlapping finds are replaced as one, so a secret that
 * contains another is removed whole.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
    return replaceForms(text, secretForms(secrets));
}

/** Steps 1–3 of the filter: escape sequences and format characters out, controls to spaces, trimmed. */
function stripControls(text: string): string {
    return text.replace(ESCAPE_SEQUENCE, "").replace(FORMAT_CHARACTERS, "").replace(CONTROL_RUNS, " ").replace(LONE_SURROGATE, "\ufffd").trim();
}

/**
 * The forms of the secrets to look for, folded to lower case: `plain` ones as they stand (raw,
 * JSON-escaped, URL-encoded), `encoded` ones (base64, hex) also with white space anywhere in
 * them. No regular expression is built from them: one holding every form of a token of a few KB
 * would exceed the engine's limits and its error would quote the secrets.
 */
interface SecretForms {
    plain: string[];
    encoded: string[];
}

function secretForms(secrets: readonly string[]): SecretForms | undefined {
    const plain = new Set<string>();
    const encoded = new Set<string>();
    for (const secret of secrets) {
        if (secret === "") continue;
        plain.add(secret);
        for (const form of jsonEscapedForms(secret)) plain.add(form);
        try {
            plain.add(encodeURIComponent(secret));
        } catch {
            // A lone surrogate cannot be URL-encoded; the other forms are still redacted.
        }
        for (const form of encodedForms(Buffer.from(secret, "utf8"))) encoded.add(form);
    }
    if (plain.size === 0) return undefined;
    return { plain: [...plain].map(fold), encoded: [...encoded].map(fold) };
}

/**
 * A secret as JSON encoders write it inside a string: JavaScript's escapes, and those of encoders
 * that also write `/` as `\/` (PHP, some Java ones) or every character beyond ASCII and `<`, `>`,
 * `&` as `\uXXXX` (Python's default, Go's HTML-safe escapes).
 */
function jsonEscapedForms(secret: string): string[] {
    const escaped = JSON.stringify(secret).slice(1, -1);
    const ascii = escaped.replace(/[^ -\u007f]|[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return [escaped, escaped.replaceAll("/", "\\/"), ascii, ascii.replaceAll("/", "\\/")];
}

/**
 * A text as the search sees it: each of its UTF-16 units with the range `[from, to)` of the
 * original text it stands for (a decoded `%2B` stands for three units).
 */
interface View {
    text: string;
    from: Int32Array;
    to: Int32Array;
}

/** Percent-encodings undone, one layer after another, when looking for a secret. */
const MAX_PERCENT_DECODINGS = 2;

/** Every range of `text` that holds a form of a secret, merged where they overlap, replaced by `***`. */
function replaceForms(text: string, forms: SecretForms | undefined): string {
    if (forms === undefined || text === "") return text;
    const ranges: [number, number][] = [];
    const find = (view: View, needles: readonly string[]) => {
        for (const needle of needles) {
            for (let at = view.text.indexOf(needle); at !== -1; at = view.text.indexOf(needle, at + 1)) {
                ranges.push([view.from[at], view.to[at + needle.length - 1]]);
            }
        }
    };
    // A server may echo a secret percent-encoded by its own rules (leaving "+" or "/" as they
    // are), or encoded twice: the decoded views catch those.
    let view = identityView(fold(text));
    for (let decodings = 0; ; decodings++) {
        find(view, forms.plain);
        if (forms.encoded.length > 0) find(withoutSpaces(view), forms.encoded);
        if (decodings === MAX_PERCENT_DECODINGS || !view.text.includes("%")) break;
        view = percentDecoded(view);
    }
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = "";
    let done = 0;
    for (let i = 0; i < ranges.length;) {
        const start = ranges[i][0];
        let end = ranges[i][1];
        for (i++; i < ranges.length && ranges[i][0] < end; i++) end = Math.max(end, ranges[i][1]);
        out += text.slice(done, start) + REDACTED;
        done = end;
    }
    return out + text.slice(done);
}

/** Letter case folded one UTF-16 unit at a time, so that every index stays that of the original. */
function fold(text: string): string {
    const lower = text.toLowerCase();
    // Lower-casing only ever lengthens a text (U+0130 becomes two units): the same length means aligned.
    if (lower.length === text.length) return lower;
    let out = "";
    for (const unit of text.split("")) out += unit.toLowerCase().length === 1 ? unit.toLowerCase() : unit;
    return out;
}

function identityView(text: string): View {
    const from = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) from[i] = i;
    return { text, from, to: from.map((i) => i + 1) };
}

/** White space left out (an encoded text may be wrapped into lines or grouped). */
function withoutSpaces(view: View): View {
    const { text } = view;
    if (!/\s/.test(text)) return view;
    const from = new Int32Array(text.length);
    const to = new Int32Array(text.length);
    const kept: string[] = [];
    for (const piece of text.matchAll(/\S+/g)) {
        for (let at = piece.index; at < piece.index + piece[0].length; at++) {
            from[kept.length] = view.from[at];
            to[kept.length] = view.to[at];
            kept.push(text[at]);
        }
    }
    return { text: kept.join(""), from: from.subarray(0, kept.length), to: to.subarray(0, kept.length) };
}

/** Each `%XX` of an ASCII character decoded (and folded), every other unit kept. */
function percentDecoded(view: View): View {
    const { text } = view;
    const from = new Int32Array(text.length);
    const to = new Int32Array(text.length);
    const units: string[] = [];
    for (let at = 0; at < text.length; at++) {
        from[units.length] = view.from[at];
        const hex = text[at] === "%" ? text.slice(at + 1, at + 3) : "";
        if (/^[0-7][0-9a-f]$/.test(hex)) {
            units.push(fold(String.fromCharCode(parseInt(hex, 16))));
            at += 2;
        } else {
            units.push(text[at]);
        }
        to[units.length - 1] = view.to[at];
    }
    return { text: units.join(""), from: from.subarray(0, units.length), to: to.subarray(0, units.length) };
}

/**
 * An encoded form shorter than this is not redacted: it would match ordinary text by chance (a
 * secret of 7 bytes or more has base64 forms at least this long at every offset).
 */
const MIN_ENCODED_FORM = 8;

/**
 * The base64 and hex forms of `bytes` wherever they sit in a longer encoded text. Base64 packs 3
 * bytes into 4 characters, so the encoding of a text containing `bytes` depends on their offset
 * modulo 3; at each offset, the characters made of their bits alone are the same in every such
 * text (those mixed with neighbouring bytes are left out). Hex needs no offsets (the search
 * ignores case).
 */
function encodedForms(bytes: Buffer): string[] {
    const forms = [bytes.toString("hex")];
    for (let offset = 0; offset < 3; offset++) {
        const base64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
        const core = base64.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
        forms.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
    return forms.filter((form) => form.length >= MIN_ENCODED_FORM);
}

/** At most `max` characters, the last one an ellipsis when cut; a surrogate pair is never split. */
export function clipText(text: string, max = MAX_SERVER_TEXT): string {
    if (text.length <= max) return text;
    let cut = max - 1;
    if (/[\ud800-\udbff]/.test(text[cut - 1])) cut--;
    return `${text.slice(0, cut)}…`;
}
