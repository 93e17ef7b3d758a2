/**
 * The one filter every text from a server passes: escapes and controls out, secrets as `***`
 * (raw, URL-encoded, JSON-escaped, base64 and hex, even when broken up by invisible characters),
 * length bounded.
 */
import { expect } from "chai";
import { MAX_SERVER_TEXT, redactSecrets, serverTextFilter } from "../../provider/serverText";
import { LEAK_BYTES, leaksEncoded } from "../support/hostileBodies";

const SK = "sk-SECRET-0123456789abcdefghij";
const STS = "sts-TOKEN-+/=abcdefghijklmnop";
const TOKEN = "MIIEhwYJKoZIhvcNAQcCoIIEeDCCBHQCAQExDTALBglghkgBZQMEAgEwggLLBgkqhkiG9w0BBwGgggK8";
const QUOTED = 'sk-"quoted"\\-0123456789';
/** Its base64 holds "+" and "/" at every offset: the URL-safe alphabet writes them "-" and "_". */
const URL_SAFE_DIFFERS = "sk-~~~~>>>???~~~~>>>???";

describe("serverText: redactSecrets", () => {
    const CASES: [string, string, string[], string][] = [
        ["secret key, twice", `a ${SK} b ${SK}`, [SK, STS], "a *** b ***"],
        ["security token", `X-Security-Token: ${STS}`, [SK, STS], "X-Security-Token: ***"],
        ["URL-encoded security token", `?t=${encodeURIComponent(STS)}`, [SK, STS], "?t=***"],
        [
            "URL-encoded with lower-case hex",
            `?t=${encodeURIComponent(STS)
                .toLowerCase()
                .replace(/sts-token-/, "sts-TOKEN-")}`,
            [STS],
            "?t=***",
        ],
        ["in another letter case", `echo ${SK.toUpperCase()} ${TOKEN.toLowerCase()}`, [SK, TOKEN], "echo *** ***"],
        ["regular-expression characters in a secret are literal", "a+b.c a+bxc", ["a+b.c"], "*** a+bxc"],
        ["percent-encoded leaving + and / as they are (Python quote, JS escape)", `?t=${escape(STS)}`, [STS], "?t=***"],
        ["percent-encoded twice", `?t=${encodeURIComponent(encodeURIComponent(STS))}`, [STS], "?t=***"],
        ["JSON-escaped", `{"k":${JSON.stringify(QUOTED)}}`, [QUOTED], '{"k":"***"}'],
        ["JSON-escaped with / as \\/ (PHP, some Java encoders)", '{"k":"sts-TOKEN-+\\/=abcdefghijklmnop"}', [STS], '{"k":"***"}'],
        ["JSON-escaped beyond ASCII as \\uXXXX (Python, Go)", '{"k":"pw-\\u00e9t\\u00c9-\\u003c\\/x"}', ["pw-étÉ-</x"], '{"k":"***"}'],
        ["token", `X-Auth-Token: ${TOKEN}.`, [TOKEN], "X-Auth-Token: ***."],
        ["no secrets held", `keep ${SK}`, [], `keep ${SK}`],
        ["an empty secret is ignored", "a b", ["", SK], "a b"],
        ["nothing to redact", "plain text", [SK], "plain text"],
    ];
    for (const [what, text, secrets, expected] of CASES) {
        it(what, () => expect(redactSecrets(text, secrets)).to.equal(expected));
    }

    // A server may echo a secret inside something it encoded: a Basic header, a base64 JSON blob,
    // a hex dump. Every alphabet, every offset of the secret in the encoded bytes, both ends cut.
    const ENCODINGS: [string, (bytes: Buffer) => string][] = [
        ["base64", (b) => b.toString("base64")],
        ["base64url", (b) => b.toString("base64url")],
        ["hex", (b) => b.toString("hex")],
        ["upper-case hex", (b) => b.toString("hex").toUpperCase()],
    ];
    for (const [encoding, encode] of ENCODINGS) {
        for (const secret of [SK, STS, TOKEN, QUOTED, "pässwörd-ünïcode-✓", "7-bytes", URL_SAFE_DIFFERS]) {
            for (const prefix of ["", "u", "us", "user:"]) {
                it(`${encoding} of ${JSON.stringify(prefix + secret.slice(0, 12) + "…")} inside more text: no ${LEAK_BYTES} bytes of the secret decodable`, () => {
                    const encoded = encode(Buffer.from(`${prefix}${secret}:tail`, "utf8"));
                    expect(leaksEncoded(encoded, secret), "the oracle sees the unredacted text").to.equal(true);
                    const out = redactSecrets(`Authorization: Basic ${encoded}.`, [secret]);
                    expect(out).to.contain("***");
                    expect(leaksEncoded(out, secret), out).to.equal(false);
                });
            }
        }
    }

    it("base64 wrapped into lines (MIME, PEM) and hex grouped in pairs, through the whole filter: nothing decodable", () => {
        const safe = serverTextFilter([TOKEN, SK]);
        const pem = Buffer.from(`-----${TOKEN}-----`)
            .toString("base64")
            .match(/.{1,30}/g)!
            .join("\r\n");
        const dump = Buffer.from(`key=${SK};`).toString("hex").match(/../g)!.join(" ");
        for (const [secret, text] of [
            [TOKEN, pem],
            [SK, dump],
        ]) {
            expect(leaksEncoded(text, secret), "the oracle sees the unredacted text").to.equal(true);
            const out = safe(`body: ${text} end`);
            expect(leaksEncoded(out, secret), out).to.equal(false);
        }
    });

    it("the URL-safe forms are redacted as such (their + and / are - and _)", () => {
        const encoded = Buffer.from(`x${URL_SAFE_DIFFERS}`).toString("base64url");
        expect(encoded).to.match(/[-_]/);
        expect(leaksEncoded(redactSecrets(encoded, [URL_SAFE_DIFFERS]), URL_SAFE_DIFFERS)).to.equal(false);
    });

    it("leaves encoded text that holds no secret alone", () => {
        const other = Buffer.from("just some other bytes, nothing secret").toString("base64");
        expect(redactSecrets(`blob ${other}`, [SK, STS])).to.equal(`blob ${other}`);
    });

    it("a token of many KB (an IAM token) is redacted in every form, and the filter never throws", () => {
        const token = "MIIY" + Buffer.from(Array.from({ length: 12_000 }, (_, i) => (i * 7919) % 256)).toString("base64");
        const safe = serverTextFilter(["AK", "SK-0123456789", token]);
        expect(safe(`RUNNING`)).to.equal("RUNNING");
        const text = `t=${token}; e=${encodeURIComponent(token)}; b=${Buffer.from(token).toString("base64")}`;
        // The last characters of the base64 mix in bits from beyond the token: they may stay.
        expect(redactSecrets(text, [token])).to.match(/^t=\*\*\*; e=\*\*\*; b=\*\*\*[A-Za-z0-9+/=]{0,3}$/);
    });

    it("removes a longer secret whole when it contains a shorter one", () => {
        expect(redactSecrets("t=xx-abc123-yy s=abc123", ["abc123", "xx-abc123-yy"])).to.equal("t=*** s=***");
    });
});

describe("serverText: serverTextFilter", () => {
    const safe = serverTextFilter(["AKVISIBLE", SK, STS]);
    const CASES: [string, string, string][] = [
        ["plain text passes", "DWS.0114: ELB private IP is not configured.", "DWS.0114: ELB private IP is not configured."],
        ["ANSI colours and a screen clear", "a\u001b[31mred\u001b[0m\u001b[2J b", "ared b"],
        ["a status that clears the screen and spoofs a line", "RUN\u001b[2J\rNING", "RUN NING"],
        ["an OSC-8 hyperlink keeps only its text", "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007", "click"],
        ["an OSC window title ended by ST", "\u001b]0;pwned\u001b\\x", "x"],
        ["an unterminated OSC swallows the rest", "ok\u001b]8;;https://evil.example/", "ok"],
        ["C1 CSI and OSC bytes", "\u009b2Ja\u009d0;t\u009cb", "ab"],
        ["a DCS string", "a\u001bPq#0;2;0;0;0\u001b\\b", "ab"],
        ["a two-byte escape", "a\u001bcb", "ab"],
        ["CR/LF become one space", "line1\r\nline2", "line1 line2"],
        ["BEL, NUL, DEL, C1 become spaces", "bell\u0007nul\u0000del\u007fnel\u0085end", "bell nul del nel end"],
        ["line and paragraph separators", "a\u2028b\u2029c", "a b c"],
        ["bidi overrides and isolates are removed", "abc\u202edcba\u202c \u2066x\u2069\u200f", "abcdcba x"],
        ["zero-width characters and BOM are removed", "a\u200bb\u200dc\ufeffd", "abcd"],
        ["a lone surrogate becomes U+FFFD", "\ud800x\udc00", "\ufffdx\ufffd"],
        ["surrounding controls are trimmed", "\n\tFAIL\r\n", "FAIL"],
        ["nothing printable is nothing", "\u0000\u001b[0m\u202e", ""],
        ["a held secret", `key ${SK}`, "key ***"],
        ["the access key ID too", "Access=AKVISIBLE", "Access=***"],
        ["a secret broken up by an escape sequence", `x ${SK.slice(0, 5)}\u001b[0m${SK.slice(5)}`, "x ***"],
        ["a secret broken up by zero-width characters", `x ${SK.slice(0, 5)}\u200b\u202e${SK.slice(5)}`, "x ***"],
        ["a URL-encoded security token", `t=${encodeURIComponent(STS)}`, "t=***"],
    ];
    for (const [what, text, expected] of CASES) {
        it(what, () => expect(safe(text)).to.equal(expected));
    }

    it(`bounds the length to MAX_SERVER_TEXT (${MAX_SERVER_TEXT}) characters, the last an ellipsis`, () => {
        const out = safe("x".repeat(100_000));
        expect(out).to.have.length(MAX_SERVER_TEXT);
        expect(out.endsWith("x…")).to.equal(true);
        expect(safe("y".repeat(MAX_SERVER_TEXT))).to.equal("y".repeat(MAX_SERVER_TEXT));
    });

    it("never cuts a surrogate pair in half", () => {
        // The pair sits where the ellipsis goes: it is dropped whole.
        const out = safe(`${"x".repeat(MAX_SERVER_TEXT - 2)}😀${"y".repeat(10)}`);
        expect(out).to.equal(`${"x".repeat(MAX_SERVER_TEXT - 2)}…`);
        expect(safe(`${"x".repeat(MAX_SERVER_TEXT - 3)}😀${"y".repeat(10)}`)).to.equal(`${"x".repeat(MAX_SERVER_TEXT - 3)}😀…`);
        expect(out.length).to.be.at.most(MAX_SERVER_TEXT);
    });

    it("redacts before it cuts: a secret across the bound leaves no prefix behind", () => {
        const out = safe(`${"x".repeat(MAX_SERVER_TEXT - 10)}${SK}${"z".repeat(1000)}`);
        expect(out).to.not.contain(SK.slice(0, 5));
        expect(out.startsWith(`${"x".repeat(MAX_SERVER_TEXT - 10)}***`)).to.equal(true);
        expect(out.length).to.be.at.most(MAX_SERVER_TEXT);
    });
});
