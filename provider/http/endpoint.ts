/**
 * Service endpoints: the default `https://{service}.{region}.{cloud}` form, endpoint overrides,
 * loopback detection and region names.
 *
 * Domain rules, from the sources:
 * - huaweicloud/terraform-provider-huaweicloud `huaweicloud/provider.go`: `defaultCloud =
 *   "myhuaweicloud.com"`, `defaultEuropeCloud = "myhuaweicloud.eu"`, and `getCloudDomain` returns the
 *   `cloud` setting (`HW_CLOUD`) when set, else `myhuaweicloud.eu` for regions starting with
 *   `eu-west-1` (eu-west-101, …), else `myhuaweicloud.com`.
 * - The official SDK region tables follow the same rule for most services (e.g.
 *   huaweicloud/huaweicloud-sdk-go-v3 `services/rds/v3/region/region.go`: `eu-west-101` →
 *   `https://rds.eu-west-101.myhuaweicloud.eu`; `eu-west-0` (Paris) stays on `myhuaweicloud.com` in
 *   every table), but not for all: where a table gives another prefix or domain for a region
 *   (`regions.ts`), that table wins.
 *
 * @packageDocumentation
 */

import { isIPv4, isIPv6 } from "node:net";
import { ConfigError } from "../errors";
import { printable } from "../services";
import { regionException } from "./regions";

/** Default domain of Huawei Cloud endpoints. */
export const DEFAULT_CLOUD = "myhuaweicloud.com";
/** Domain of the Europe site (regions `eu-west-1xx`). */
export const EUROPE_CLOUD = "myhuaweicloud.eu";
/** Region prefix that selects {@link EUROPE_CLOUD} (the Terraform provider's `prefixEuropeRegion`). */
export const EUROPE_REGION_PREFIX = "eu-west-1";

const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
const REGION_RULE =
    'a region ID such as "cn-north-4", "ap-southeast-1", "eu-west-101" or "la-north-2": lower-case letters, digits and single hyphens, at most 63 characters';
const SERVICE = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CLOUD = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CLOUD_RULE = `a domain name such as "${DEFAULT_CLOUD}" or "${EUROPE_CLOUD}" (no scheme, no path)`;
const ENDPOINT_RULE = 'an https:// origin such as "https://dws.cn-north-4.myhuaweicloud.com": no user info, no path other than "/", no query, no fragment';
const LOOPBACK_RULE = "plain http:// is accepted only for a loopback host (127.0.0.0/8, ::1, localhost) with allowInsecureLoopback: true";

/** The domain used for a region when no `cloud` is given: `myhuaweicloud.eu` for `eu-west-1xx`, else `myhuaweicloud.com`. */
export function defaultCloudFor(region: string): string {
    return region.startsWith(EUROPE_REGION_PREFIX) ? EUROPE_CLOUD : DEFAULT_CLOUD;
}

/**
 * The endpoint of a regional service: `https://{endpointService}.{region}.{cloud}`.
 * `cloud` defaults by region (see {@link defaultCloudFor}), as the Terraform provider's
 * `getCloudDomain` does, except where the official SDK region table of the service gives another
 * domain or prefix for the region (`regions.ts`: DWS on `myhuaweicloud.cn` in five regions, ECS on
 * `.com` in `eu-west-101`, TaurusDB's per-region prefixes...). An explicit `cloud` (`HW_CLOUD`)
 * always wins over the domain; a per-region prefix still applies.
 *
 * `serviceEndpoint("dws", "cn-north-4")` → `"https://dws.cn-north-4.myhuaweicloud.com"`;
 * `serviceEndpoint("dws", "eu-west-101")` → `"https://dws.eu-west-101.myhuaweicloud.eu"`;
 * `serviceEndpoint("dws", "tr-west-1")` → `"https://dws.tr-west-1.myhuaweicloud.cn"`.
 * Any invalid part is a `ConfigError`.
 */
export function serviceEndpoint(endpointService: string, region: string, cloud?: string): string {
    if (typeof endpointService !== "string" || !SERVICE.test(endpointService)) {
        throw new ConfigError({
            field: "endpointService",
            value: printable(endpointService),
            allowed: "a DNS label of lower-case letters, digits and hyphens",
        });
    }
    const validRegion = validateRegion(region);
    const exception = regionException(endpointService, validRegion);
    const domain = cloud === undefined || cloud === "" ? (exception?.cloud ?? defaultCloudFor(validRegion)) : validateCloud(cloud);
    return `https://${exception?.service ?? endpointService}.${validRegion}.${domain}`;
}

/**
 * Validate a region ID (e.g. `cn-north-4`, `ap-southeast-1`, `eu-west-101`, `la-north-2`):
 * two or more lower-case letters, then one or more `-`-separated groups of lower-case letters and
 * digits, 63 characters at most (it becomes one DNS label). Returns it unchanged; `ConfigError`
 * otherwise.
 */
export function validateRegion(region: string): string {
    if (typeof region !== "string" || region.length > 63 || !REGION.test(region)) {
        throw new ConfigError({ field: "region", value: printable(region), allowed: REGION_RULE });
    }
    return region;
}

/**
 * Validate a cloud domain (`HW_CLOUD`), e.g. `myhuaweicloud.com`: a lower-case DNS name of at
 * least two labels, without scheme or path. Upper case is folded. Returns the domain; `ConfigError`
 * otherwise.
 */
export function validateCloud(cloud: string): string {
    const domain = typeof cloud === "string" ? cloud.toLowerCase() : cloud;
    if (typeof domain !== "string" || !CLOUD.test(domain)) {
        throw new ConfigError({ field: "cloud", value: printable(cloud), allowed: CLOUD_RULE });
    }
    return domain;
}

/**
 * Validate an endpoint override and return its normalised origin (lower-case host, default port
 * dropped, no trailing slash), e.g. `"HTTPS://DWS.Example.com:443/"` → `"https://dws.example.com"`.
 *
 * Only `https:` is allowed, except `http:` to a loopback host (see {@link isLoopbackHost}) when
 * `allowInsecureLoopback` is true (default false). User info, a path other than `/`, a query, a
 * fragment, whitespace, control characters and backslashes are refused. Every refusal is
 * `ConfigError("endpoint", value, allowed)`; user info in the value is masked in the message.
 */
export function validateEndpoint(endpoint: string, options: { allowInsecureLoopback?: boolean } = {}): string {
    const reject = (allowed: string): never => {
        throw new ConfigError({ field: "endpoint", value: printable(typeof endpoint === "string" ? maskUserInfo(endpoint) : endpoint), allowed });
    };
    if (typeof endpoint !== "string") return reject(ENDPOINT_RULE);
    // The WHATWG parser silently drops tabs/newlines, trims spaces, reads "\" as "/" and resolves
    // "." segments: refuse such input instead of letting it change meaning.
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u0020\u007f\\]/.test(endpoint)) return reject(ENDPOINT_RULE);
    const shape = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/?)$/.exec(endpoint);
    if (!shape) return reject(ENDPOINT_RULE);
    if (shape[2].includes("@")) return reject(`${ENDPOINT_RULE} (credentials never go in the URL)`);
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        return reject(ENDPOINT_RULE);
    }
    if (url.hostname === "" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || url.pathname !== "/") {
        return reject(ENDPOINT_RULE);
    }
    if (url.protocol === "https:") return url.origin;
    if (url.protocol === "http:") {
        if (options.allowInsecureLoopback === true && isLoopbackHost(url.hostname)) return url.origin;
        return reject(`${ENDPOINT_RULE}; ${LOOPBACK_RULE}`);
    }
    return reject(ENDPOINT_RULE);
}

/**
 * Whether a host name is a loopback address: `localhost` (any case),
 * IPv4 127.0.0.0/8 (also short forms such as `127.1`, as the URL parser reads them), IPv6 `::1`
 * in any spelling, with or without brackets, and IPv4-mapped `::ffff:127.x.y.z`.
 * Other names (`localhost.example.com`, `foo.localhost`) are not: they go through DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
    if (typeof hostname !== "string" || hostname === "" || !/^[A-Za-z0-9.:[\]-]+$/.test(hostname)) return false;
    const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
    if (isIPv6(bare)) {
        let canonical: string;
        try {
            canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
        } catch {
            return false;
        }
        return canonical === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
    }
    if (bare.includes(":") || bare.includes("[") || bare.includes("]")) return false;
    let host: string;
    try {
        host = new URL(`http://${bare}/`).hostname;
    } catch {
        return false;
    }
    if (host === "localhost") return true;
    return isIPv4(host) && host.startsWith("127.");
}

/**
 * Replace what may be user info in a URL-looking string — everything after the scheme's `//` (or
 * from the start) up to the last `@` — with `***`, so no password reaches a message, not even one
 * holding `/`, `?`, `#` or spaces (a value refused anyway, which may mask more than user info).
 */
export function maskUserInfo(value: string): string {
    const at = value.lastIndexOf("@");
    if (at < 0) return value;
    const scheme = value.indexOf("//");
    const from = scheme >= 0 && scheme < at ? scheme + 2 : 0;
    return `${value.slice(0, from)}***${value.slice(at)}`;
}
