/**
 * Where the official SDK region tables put a service's endpoint somewhere else than
 * `https://{service}.{region}.{cloud}` with the default cloud of the region (`myhuaweicloud.eu`
 * for `eu-west-1xx`, else `myhuaweicloud.com`: see `endpoint.ts`). Only the exceptions are listed,
 * keyed by the service's endpoint prefix; every other region of every table follows the rule.
 *
 * Source: the region files of the official Node.js SDK, huaweicloud/huaweicloud-sdk-nodejs-v3
 * 3.1.209 (`@huaweicloud/huaweicloud-sdk-<svc>` on npm), one per service:
 * `services/ecs/v2/EcsRegion.ts`, `evs/v2/EvsRegion.ts`, `ims/v2/ImsRegion.ts`, `eip/v2/EipRegion.ts`
 * (prefix `vpc`), `dcs/v2/DcsRegion.ts`, `elb/v3/ElbRegion.ts`, `cbr/v1/CbrRegion.ts`,
 * `gaussdb/v3/GaussDBRegion.ts`, `gaussdbforopengauss/v3/GaussDBforopenGaussRegion.ts`,
 * `dws/v2/DwsRegion.ts`. The tables of BMS, CCE, RDS, DDS, SFS Turbo, Kafka, RabbitMQ, DDM and CFW
 * have no exception. huaweicloud/huaweicloud-sdk-go-v3 `services/<svc>/<ver>/region/region.go`
 * agree for the entries checked (DWS `.cn` since 2023-08, ECS `eu-west-101` `.com` since 2024-03).
 * The tests compare this table with the region files of the SDK packages installed as
 * devDependencies.
 *
 * @packageDocumentation
 */

/** Where one region's endpoint of a service differs from the rule: another prefix, another domain, or both. */
export interface RegionException {
    /** Endpoint prefix used in this region instead of the service's own. */
    service?: string;
    /** Domain used in this region instead of the region's default. */
    cloud?: string;
}

/** The domain of the regions of the Chinese mainland site that the DWS table moves off `.com`. */
const CHINA_CLOUD = "myhuaweicloud.cn";
/** The domain that some Europe-site (`eu-west-101`) services keep. */
const GLOBAL_CLOUD = "myhuaweicloud.com";

/** `eu-west-101` on `myhuaweicloud.com` instead of `.eu` (the SDK tables of ECS, EVS, IMS, EIP/VPC, DCS, ELB, CBR). */
const DUBLIN_ON_COM: Readonly<Record<string, RegionException>> = { "eu-west-101": { cloud: GLOBAL_CLOUD } };

/** TaurusDB prefixes by region (`GaussDBRegion.ts`); `gaussdb` elsewhere. */
const TAURUSDB_FOR_MYSQL = { service: "gaussdbformysql" };
const TAURUSDB_MYSQL = { service: "gaussdb-mysql" };

/** openGauss is served under the `gaussdb` prefix in these regions (`GaussDBforopenGaussRegion.ts`); `gaussdb-opengauss` elsewhere. */
const OPENGAUSS_ON_GAUSSDB = { service: "gaussdb" };

/** The exceptions, by endpoint prefix then region. */
export const REGION_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, RegionException>>>> = {
    ecs: DUBLIN_ON_COM,
    evs: DUBLIN_ON_COM,
    ims: DUBLIN_ON_COM,
    vpc: DUBLIN_ON_COM,
    dcs: DUBLIN_ON_COM,
    elb: DUBLIN_ON_COM,
    cbr: DUBLIN_ON_COM,
    dws: {
        "cn-south-4": { cloud: CHINA_CLOUD },
        "cn-north-12": { cloud: CHINA_CLOUD },
        "cn-east-4": { cloud: CHINA_CLOUD },
        "tr-west-1": { cloud: CHINA_CLOUD },
        "ap-southeast-4": { cloud: CHINA_CLOUD },
    },
    gaussdb: {
        "tr-west-1": TAURUSDB_FOR_MYSQL,
        "ap-southeast-1": TAURUSDB_FOR_MYSQL,
        "ap-southeast-2": TAURUSDB_FOR_MYSQL,
        "cn-north-11": TAURUSDB_FOR_MYSQL,
        "me-east-1": TAURUSDB_FOR_MYSQL,
        "af-south-1": TAURUSDB_MYSQL,
        "cn-east-5": TAURUSDB_MYSQL,
        "la-north-2": TAURUSDB_MYSQL,
        "cn-southwest-3": TAURUSDB_MYSQL,
    },
    "gaussdb-opengauss": {
        "cn-east-4": OPENGAUSS_ON_GAUSSDB,
        "cn-east-5": OPENGAUSS_ON_GAUSSDB,
        "ap-southeast-5": OPENGAUSS_ON_GAUSSDB,
        "tr-west-1": OPENGAUSS_ON_GAUSSDB,
        "me-east-1": OPENGAUSS_ON_GAUSSDB,
        "af-north-1": OPENGAUSS_ON_GAUSSDB,
        "cn-east-2": OPENGAUSS_ON_GAUSSDB,
        "cn-north-12": OPENGAUSS_ON_GAUSSDB,
    },
};

/** The exception for a service prefix in a region, if the SDK tables have one. */
export function regionException(endpointService: string, region: string): RegionException | undefined {
    return Object.hasOwn(REGION_EXCEPTIONS, endpointService) && Object.hasOwn(REGION_EXCEPTIONS[endpointService], region)
        ? REGION_EXCEPTIONS[endpointService][region]
        : undefined;
}
