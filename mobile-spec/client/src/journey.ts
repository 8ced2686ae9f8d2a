// A phone's journey through the QLVB API with the typed client generated
// from mobile-spec/openapi.yaml (openapi-typescript + openapi-fetch): sign
// in, sync the inbox, act offline with Idempotency-Key and If-Match, and
// lose a refresh answer. Every response is checked against the spec.
//
//   QLVB_URL=http://127.0.0.1:8080 node build/journey.js
//
// It is the example a mobile team starts from: copy the client, keep the
// middleware that checks responses while you develop.
import createClient, { type Middleware } from "openapi-fetch";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { paths, components } from "./schema.js";

type Tokens = components["schemas"]["Tokens"];
type InboxItem = components["schemas"]["InboxItem"];

const base = process.env.QLVB_URL ?? "http://127.0.0.1:8080";
const password = process.env.QLVB_DEMO_PASSWORD ?? "demo123";

// ---- every response against the spec ----
const specPath = fileURLToPath(new URL("../../openapi.yaml", import.meta.url));
const spec = parse(readFileSync(specPath, "utf-8")) as Record<string, any>;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
addFormats(ajv);
ajv.addSchema(spec, "spec");

let checks = 0;
const failures: string[] = [];
function check(ok: boolean, what: string): void {
  checks++;
  if (!ok) failures.push(what);
}

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

const checkSpec: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const method = request.method.toLowerCase();
    const op = spec.paths?.[schemaPath]?.[method];
    const where = `${request.method} ${schemaPath} ${response.status}`;
    check(op !== undefined, `${where}: not in the spec`);
    if (!op) return undefined;
    let declared = op.responses?.[String(response.status)];
    let at = `spec#/${pointer("paths", schemaPath, method, "responses", String(response.status))}`;
    check(declared !== undefined, `${where}: status not declared`);
    while (declared?.$ref) {
      at = `spec${declared.$ref}`;
      declared = spec.components.responses[declared.$ref.split("/").pop()];
    }
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const content = declared?.content?.[type];
    if (!content || !type.includes("json")) return undefined;
    const body = await response.clone().json();
    const validate = ajv.compile({ $ref: `${at}/content/${pointer(type)}/schema` });
    check(validate(body) === true, `${where}: ${ajv.errorsText(validate.errors)}`);
    return undefined;
  },
};

function client(token?: string) {
  const c = createClient<paths>({ baseUrl: base, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  c.use(checkSpec);
  return c;
}

async function signIn(username: string): Promise<Tokens> {
  const { data, response } = await client().POST("/api/v1/auth/login", {
    body: { username, password, device_name: "Hành trình TypeScript" },
  });
  check(response.status === 200 && data !== undefined, `sign-in of ${username}: ${response.status}`);
  return data as Tokens;
}

async function main(): Promise<void> {
  // the check itself is live: a body that breaks the spec is caught
  const probe = ajv.compile({ $ref: "spec#/components/schemas/Tokens" });
  check(probe({ access_token: 7 }) === false, "the spec check refuses a body that breaks the spec");
  const author = client((await signIn("stp.chuyenvien")).access_token);
  let headTokens = await signIn("stp.truongphong");
  const head = client(headTokens.access_token);

  // the head's phone: a sync token for now, then the boxes (here, one page)
  const first = await head.GET("/api/v1/inbox/changes");
  check(first.response.status === 200 && first.data?.changed.length === 0, "a first sync gives a token and nothing else");
  let token = first.data!.next;
  // ... then loads its boxes page by page (one box here)
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await head.GET("/api/v1/inbox", { params: { query: { box: "approve", limit: 5, cursor } } });
    check(page.response.status === 200, `an inbox page: ${page.response.status}`);
    cursor = page.data?.next_cursor ?? undefined;
    pages++;
  } while (cursor && pages < 50);

  // the author drafts and submits: an Idempotency-Key for each queued action
  const key = crypto.randomUUID();
  const draft = await author.POST("/api/v1/documents/outgoing", {
    params: { header: { "Idempotency-Key": key } },
    body: { type_code: "KH", subject: "Kế hoạch kiểm tra năm 2027 (hành trình)", recipients: [{ agency_code: "000.00.23.H19" }] },
  });
  check(draft.response.status === 201, `draft: ${draft.response.status}`);
  const again = await author.POST("/api/v1/documents/outgoing", {
    params: { header: { "Idempotency-Key": key } },
    body: { type_code: "KH", subject: "Kế hoạch kiểm tra năm 2027 (hành trình)", recipients: [{ agency_code: "000.00.23.H19" }] },
  });
  check(again.response.headers.get("idempotent-replayed") === "true" && again.data?.id === draft.data?.id,
        "a retried draft with its key is the same draft");
  const id = draft.data!.id;
  const submitted = await author.POST("/api/v1/documents/{id}/submit", {
    params: { path: { id }, header: { "If-Match": draft.response.headers.get("etag") ?? "*" } },
    body: {},
  });
  check(submitted.response.status === 200 && submitted.data?.status === "in_review", "submitted with If-Match");

  // the head's phone syncs: the new item arrives with its document's ETag
  const synced = await head.GET("/api/v1/inbox/changes", { params: { query: { since: token } } });
  const item = synced.data?.changed.find((i: InboxItem) => i.document?.id === id);
  check(item !== undefined && item.box === "approve", "the draft reached the head's inbox through the feed");
  token = synced.data!.next;

  // offline, the head approves on the version seen; meanwhile nothing changed: accepted
  const approved = await head.POST("/api/v1/documents/{id}/approve", {
    params: { path: { id }, header: { "If-Match": item!.etag, "Idempotency-Key": crypto.randomUUID() } },
    body: { note: "Đồng ý." },
  });
  check(approved.response.status === 200 && approved.data?.status === "in_review", "approved on the version seen");
  // the same queued action replayed on the old version: refused, with the document as it is now
  const stale = await head.POST("/api/v1/documents/{id}/approve", {
    params: { path: { id }, header: { "If-Match": item!.etag, "Idempotency-Key": crypto.randomUUID() } },
    body: {},
  });
  check(stale.response.status === 412 && stale.error?.document?.id === id, "a stale If-Match is 412 with the document");

  // a refresh whose answer was lost: the same token again gives the same pair
  const lost = await client().POST("/api/v1/auth/refresh", { body: { refresh_token: headTokens.refresh_token } });
  const retried = await client().POST("/api/v1/auth/refresh", { body: { refresh_token: headTokens.refresh_token } });
  check(lost.response.status === 200 && retried.response.status === 200 &&
        lost.data?.refresh_token === retried.data?.refresh_token && lost.data?.access_token === retried.data?.access_token,
        "a lost refresh answer is given again");
  headTokens = retried.data!;
  const me = await client(headTokens.access_token).GET("/api/v1/me");
  check(me.response.status === 200 && me.data?.username === "stp.truongphong", "the new access token works");

  // errors a program can use: a field pointer, in the language asked for
  const bad = await author.POST("/api/v1/documents/outgoing", {
    headers: { "Accept-Language": "en" },
    body: { type_code: "KH", subject: "", recipients: [{ agency_code: "000.00.23.H19" }] },
  });
  check(bad.response.status === 400 && bad.error?.errors?.[0]?.pointer === "/subject" && bad.error?.title === "Invalid field",
        "a refused body points at its field");

  const after = await head.GET("/api/v1/inbox/changes", { params: { query: { since: token } } });
  check(after.response.status === 200 && after.data!.changed.some((i: InboxItem) => i.document?.id === id),
        "the approval shows in the feed");
}

main().then(
  () => {
    for (const f of failures) console.log(`FAIL  ${f}`);
    console.log(`journey: ${checks - failures.length} of ${checks} checks passed`);
    process.exit(failures.length ? 1 : 0);
  },
  (e: unknown) => {
    console.log(`FAIL  the journey stopped: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
