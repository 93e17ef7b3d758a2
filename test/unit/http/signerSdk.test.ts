/**
 * The signer against the official Node.js SDK core (`@huaweicloud/huaweicloud-sdk-core`, a
 * devDependency): the same GET requests the job client sends, built and signed by the SDK's own
 * request pipeline (`HcClient.buildRequest` → `BaseCredentials.processAuthRequest` →
 * `AKSKSigner.sign`) and by `signRequest`, must carry byte-identical signed headers and
 * `Authorization`.
 */
import { expect } from "chai";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials";
import { EcsClient } from "@huaweicloud/huaweicloud-sdk-ecs/v2/EcsClient";
import { formatSdkDate, signRequest } from "../../../provider/http/signer";

/** The part of the SDK's HcClient this test drives: it builds and signs a request without sending it. */
interface SdkRequestBuilder {
    buildRequest(options: {
        method: string;
        url: string;
        contentType: string;
        queryParams: Record<string, string>;
        pathParams: Record<string, string>;
        headers: Record<string, string>;
    }): Promise<{ headers: Record<string, string> }>;
}

const AK = "HPUAXXXXEXAMPLEAK000";
const SK = "sk-example-0123456789abcdefghijklmnopqrstuv";
const PROJECT = "0123456789abcdef0123456789abcdef";
const NOW = new Date("2025-06-01T12:34:56Z");

interface SigningCase {
    name: string;
    origin: string;
    /** The SDK's url template and its parameters. */
    url: string;
    pathParams: Record<string, string>;
    queryParams: Record<string, string>;
    /** The path (and query) the job client sends for the same job. */
    path: string;
    securityToken?: string;
}

const CASES: SigningCase[] = [
    {
        name: "ECS job",
        origin: "https://ecs.cn-north-4.myhuaweicloud.com",
        url: "/v1/{project_id}/jobs/{job_id}",
        pathParams: { job_id: "2c9eb2c1525a93c601525a93d8ef0002" },
        queryParams: {},
        path: `/v1/${PROJECT}/jobs/2c9eb2c1525a93c601525a93d8ef0002`,
    },
    {
        name: "RDS task: job ID in the query",
        origin: "https://rds.ap-southeast-1.myhuaweicloud.com",
        url: "/v3/{project_id}/jobs",
        pathParams: {},
        queryParams: { id: "a9767aaa-4291-4d8c-bbbd-7b8e2f7bcb0c" },
        path: `/v3/${PROJECT}/jobs?id=a9767aaa-4291-4d8c-bbbd-7b8e2f7bcb0c`,
    },
    {
        name: "IMS job: no project in the path; temporary credentials",
        origin: "https://ims.eu-west-101.myhuaweicloud.com",
        url: "/v1/cloudimages/job/{job_id}",
        pathParams: { job_id: "ff8080814dbd65d7014dbe0d84db0013" },
        queryParams: {},
        path: "/v1/cloudimages/job/ff8080814dbd65d7014dbe0d84db0013",
        securityToken: "sts-token-example",
    },
    {
        name: "DMS task on a loopback emulator with a port, IDs with ':' and '.'",
        origin: "http://127.0.0.1:8780",
        url: "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}",
        pathParams: { instance_id: "inst.1", task_id: "task:2" },
        queryParams: {},
        path: `/v2/${PROJECT}/instances/inst.1/tasks/task%3A2`,
    },
];

describe("signer: byte for byte with the official Node SDK core", () => {
    for (const c of CASES) {
        it(c.name, async () => {
            const credentials = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
            if (c.securityToken) credentials.withSecurityToken(c.securityToken);
            const client = EcsClient.newBuilder().withCredential(credentials).withEndpoint(c.origin).build();
            const sdk = (client as unknown as { hcClient: SdkRequestBuilder }).hcClient;
            const signed = await sdk.buildRequest({
                method: "GET",
                url: c.url,
                contentType: "application/json",
                queryParams: c.queryParams,
                pathParams: c.pathParams,
                headers: { "X-Sdk-Date": formatSdkDate(NOW) },
            });

            const headers: Record<string, string> = { "Content-Type": "application/json", "X-Project-Id": PROJECT };
            const ours = signRequest({ method: "GET", url: c.origin + c.path, headers }, { accessKey: AK, secretKey: SK, securityToken: c.securityToken }, NOW);

            expect(ours.Authorization).to.equal(signed.headers.Authorization);
            const sdkHeaders = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
            const sent = Object.fromEntries(Object.entries({ ...headers, ...ours, Host: new URL(c.origin).host }).map(([k, v]) => [k.toLowerCase(), v]));
            const signedNames = /SignedHeaders=([^,]+)/.exec(ours.Authorization)![1].split(";");
            for (const name of signedNames) expect(sent[name], name).to.equal(sdkHeaders[name]);
        });
    }
});
