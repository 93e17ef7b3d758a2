/**
 * Helpers for Pulumi's wire representation of property values (what `Struct.toJavaScript()`
 * yields for RegisterResource/provider requests): secrets are `{[SIG]: SECRET_SIG, value}`,
 * unknowns are the string {@link UNKNOWN}, resource references are `{[SIG]: RESOURCE_SIG, urn, id}`.
 *
 * Mirrors what the Pulumi engine (Go, `sdk/go/common/resource/plugin/provider_plugin.go`) does
 * when it talks to a provider that answered `acceptSecrets: false` in Configure (the Node.js
 * dynamic-provider host does): secrets are removed before marshalling (`removeSecrets` /
 * `MarshalOptions{KeepSecrets: false}`), and after the call the secret bit is copied back onto
 * outputs whose input of the same name was secret (`annotateSecrets`).
 *
 * @module
 */
import * as crypto from "crypto";

/** Key that marks a special (signature-typed) object on the wire. */
export const SIG = "4dabf18193072939515e22adb298388d";
/** Signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of a resource reference. */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Sentinel string for a value that is unknown (computed) during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A property map in wire form. */
export type PropertyMap = Record<string, unknown>;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True if `v` is a wire secret `{[SIG]: SECRET_SIG, value}`. */
export function isSecret(v: unknown): v is { value: unknown } {
    return isObj(v) && v[SIG] === SECRET_SIG;
}

/** Wraps `v` as a wire secret (no double wrapping). */
export function makeSecret(v: unknown): unknown {
    return isSecret(v) ? v : { [SIG]: SECRET_SIG, value: v };
}

/** True if `v` contains a secret anywhere. */
export function containsSecrets(v: unknown): boolean {
    if (isSecret(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecrets);
    if (isObj(v)) return Object.values(v).some(containsSecrets);
    return false;
}

/** True if `v` contains an unknown anywhere. */
export function containsUnknowns(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknowns);
    if (isObj(v)) return Object.values(v).some(containsUnknowns);
    return false;
}

/**
 * Removes the secret markers (keeping the values) and flattens resource references the way the
 * engine does for a provider that accepts neither secrets nor resources: a reference to a custom
 * resource becomes its id, to a component its URN.
 */
export function stripSecrets(v: unknown): unknown {
    if (isSecret(v)) return stripSecrets(v.value);
    if (Array.isArray(v)) return v.map(stripSecrets);
    if (isObj(v)) {
        if (v[SIG] === RESOURCE_SIG) {
            const id = v["id"];
            if (typeof id === "string") return id === "" ? UNKNOWN : id;
            return v["urn"];
        }
        const out: Obj = {};
        for (const [k, x] of Object.entries(v)) out[k] = stripSecrets(x);
        return out;
    }
    return v;
}

/** {@link stripSecrets} over a property map. */
export function stripSecretsMap(m: PropertyMap | undefined): PropertyMap {
    return (stripSecrets(m ?? {}) as PropertyMap) ?? {};
}

/**
 * Copies "secretness" from `ins` to `outs`, exactly like the engine's `annotateSecrets`: for
 * keys present in both, objects are walked recursively; otherwise, if the input value contains
 * a secret, the whole output value is marked secret. Returns a new map.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap | undefined): PropertyMap {
    if (!ins) return outs;
    const result: PropertyMap = { ...outs };
    for (const [key, inValue] of Object.entries(ins)) {
        if (!(key in result)) continue;
        const outValue = result[key];
        if (isObj(outValue) && !isSecret(outValue) && outValue[SIG] === undefined && isObj(inValue) && !isSecret(inValue)) {
            result[key] = annotateSecrets(outValue, inValue);
        } else if (!isSecret(outValue) && containsSecrets(inValue)) {
            result[key] = makeSecret(outValue);
        }
    }
    return result;
}

/** Deep equality of two wire values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
        return a.every((x, i) => deepEqual(x, b[i]));
    }
    if (isObj(a) && isObj(b)) {
        const ka = Object.keys(a).filter((k) => a[k] !== undefined);
        const kb = Object.keys(b).filter((k) => b[k] !== undefined);
        if (ka.length !== kb.length) return false;
        return ka.every((k) => deepEqual(a[k], b[k]));
    }
    return false;
}

/** Drops `undefined` entries (google-protobuf's Struct.fromJavaScript rejects them). */
export function dropUndefined(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : dropUndefined(x)));
    if (isObj(v)) {
        const out: Obj = {};
        for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropUndefined(x);
        return out;
    }
    return v;
}

/** Replaces wire secrets by their values and unknowns by `undefined`: a plain JS view. */
export function toPlain(v: unknown): unknown {
    if (v === UNKNOWN) return undefined;
    if (isSecret(v)) return toPlain(v.value);
    if (Array.isArray(v)) return v.map(toPlain);
    if (isObj(v)) {
        const out: Obj = {};
        for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
        return out;
    }
    return v;
}

// ---------------------------------------------------------------------------------------------
// Secrets at rest (state files)
// ---------------------------------------------------------------------------------------------

/**
 * Encrypts/decrypts secret values for the state file, like a Pulumi secrets provider. This one
 * is passphrase based (scrypt + AES-256-GCM); the salt lives in the state's `secrets_providers`.
 */
export class SecretsCodec {
    private readonly key: Buffer;

    constructor(passphrase: string, readonly salt: string = crypto.randomBytes(16).toString("base64")) {
        this.key = crypto.scryptSync(passphrase, Buffer.from(salt, "base64"), 32);
    }

    /** Encrypts a string to `v1:<iv>:<ciphertext+tag>` (base64 parts). */
    encrypt(plain: string): string {
        const iv = crypto.randomBytes(12);
        const c = crypto.createCipheriv("aes-256-gcm", this.key, iv);
        const ct = Buffer.concat([c.update(plain, "utf8"), c.final(), c.getAuthTag()]);
        return `v1:${iv.toString("base64")}:${ct.toString("base64")}`;
    }

    /** Inverse of {@link encrypt}; throws on a wrong passphrase or corrupted text. */
    decrypt(text: string): string {
        const [v, ivB64, ctB64] = text.split(":");
        if (v !== "v1" || ivB64 === undefined || ctB64 === undefined) throw new Error("unrecognized ciphertext");
        const buf = Buffer.from(ctB64, "base64");
        const d = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(ivB64, "base64"));
        d.setAuthTag(buf.subarray(buf.length - 16));
        return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString("utf8");
    }

    /**
     * Wire value → state value: every secret becomes `{[SIG]: SECRET_SIG, ciphertext}` whose
     * plaintext is the JSON of the (secret-free) inner value, as in a Pulumi checkpoint.
     */
    encodeValue(v: unknown): unknown {
        if (isSecret(v)) {
            return { [SIG]: SECRET_SIG, ciphertext: this.encrypt(JSON.stringify(stripSecrets(v.value) ?? null)) };
        }
        if (Array.isArray(v)) return v.map((x) => this.encodeValue(x));
        if (isObj(v)) {
            const out: Obj = {};
            for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = this.encodeValue(x);
            return out;
        }
        return v;
    }

    /** State value → wire value (inverse of {@link encodeValue}). */
    decodeValue(v: unknown): unknown {
        if (isObj(v) && v[SIG] === SECRET_SIG) {
            if (typeof v["ciphertext"] === "string") {
                return makeSecret(JSON.parse(this.decrypt(v["ciphertext"])));
            }
            return makeSecret(this.decodeValue(v["value"]));
        }
        if (Array.isArray(v)) return v.map((x) => this.decodeValue(x));
        if (isObj(v)) {
            const out: Obj = {};
            for (const [k, x] of Object.entries(v)) out[k] = this.decodeValue(x);
            return out;
        }
        return v;
    }
}
