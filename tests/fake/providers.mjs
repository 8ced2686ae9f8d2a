// A fake FCM (HTTP v1 and its OAuth token endpoint) and a fake APNs (HTTP/2
// over TLS, with a test CA) on loopback, for the push tests. Each checks
// what it receives as the real service does, records what it accepted, and
// answers as a test asks (429 with Retry-After, 500, no answer at all,
// UNREGISTERED / 410) for a device token. A control port reads the record
// and sets the answers.
//
// env: FAKE_DIR (keys and certificates, written by tests/fake/start.sh),
// FAKE_FCM_PORT, FAKE_APNS_PORT, FAKE_CONTROL_PORT.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";

const dir = process.env.FAKE_DIR;
const read = (f) => fs.readFileSync(`${dir}/${f}`, "utf8");
const account = JSON.parse(read("service-account.json"));
const fcmPublic = crypto.createPublicKey(read("fcm-public.pem"));
const apnsPublic = crypto.createPublicKey(read("apns-public.pem"));
const APNS_KEY_ID = read("apns-key-id").trim(), TEAM = read("apns-team").trim(), TOPIC = read("apns-topic").trim();
const WEBHOOK_SECRET = read("webhook-secret").trim();

const accepted = [];          // what each service took: {service, token, message_id, ids, at, body}
const refused = [];           // what each refused, and why
const behaviours = new Map(); // device token -> [{answer, times}]
const issued = new Map();     // FCM access token -> expiry (ms)
const providerTokens = [];    // APNs provider tokens as first seen: {jwt, at}
let delayMs = 0;              // every answer this late (more sends in flight)
let inflight = 0;             // FCM sends taken and not yet answered

const b64url = (s) => Buffer.from(s, "base64url");
const now = () => Date.now();

function behaviour(token) {
    const list = behaviours.get(token);
    if (!list || !list.length) return null;
    const b = list[0];
    if (b.times !== null && --b.times <= 0) list.shift();
    return b.answer;
}

// A JWT's parts, its signature checked; throws with the reason.
function jwtCheck(jwt, alg, key, dsaEncoding) {
    const parts = jwt.split(".");
    if (parts.length !== 3) throw new Error("not a JWT");
    const header = JSON.parse(b64url(parts[0]));
    const claims = JSON.parse(b64url(parts[1]));
    if (header.alg !== alg) throw new Error(`alg ${header.alg}, not ${alg}`);
    const sig = b64url(parts[2]);
    if (alg === "ES256" && sig.length !== 64) throw new Error(`ES256 signature of ${sig.length} bytes, not the raw 64`);
    const ok = crypto.verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding }, sig);
    if (!ok) throw new Error("bad signature");
    return { header, claims };
}

// FCM's message schema: unknown fields are refused, data values are strings,
// ttl is a duration string.
function fcmMessageCheck(m) {
    const allowed = { token: 1, notification: 1, data: 1, android: 1, apns: 1, webpush: 1, fcm_options: 1 };
    for (const k of Object.keys(m)) if (!allowed[k]) throw new Error(`unknown field message.${k}`);
    if (typeof m.token !== "string" || !m.token) throw new Error("message.token is required");
    if (m.notification) for (const k of Object.keys(m.notification))
        if (!["title", "body", "image"].includes(k)) throw new Error(`unknown field notification.${k}`);
    if (m.data) for (const [k, v] of Object.entries(m.data))
        if (typeof v !== "string") throw new Error(`data.${k} is not a string`);
    if (m.android) {
        for (const k of Object.keys(m.android))
            if (!["priority", "ttl", "collapse_key", "notification", "data", "restricted_package_name", "direct_boot_ok"].includes(k))
                throw new Error(`unknown field android.${k}`);
        if (m.android.ttl !== undefined && !/^\d+(\.\d{1,9})?s$/.test(m.android.ttl)) throw new Error("android.ttl is not a duration");
        if (m.android.priority !== undefined && !["NORMAL", "HIGH"].includes(m.android.priority)) throw new Error("android.priority");
        if (m.android.collapse_key !== undefined) throw new Error("collapse_key: a message that must not be replaced carries none");
    }
}

function body(req) {
    return new Promise((resolve) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks)));
    });
}

function answer(res, status, obj, headers = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(obj === undefined ? "" : JSON.stringify(obj));
}

// FCM: the token endpoint and messages:send
http.createServer(async (req, res) => {
    const raw = await body(req);
    if (req.method === "POST" && req.url === "/token") {
        const form = new URLSearchParams(raw.toString());
        try {
            if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") throw new Error("grant_type");
            const { claims } = jwtCheck(form.get("assertion") || "", "RS256", fcmPublic);
            if (claims.iss !== account.client_email) throw new Error("iss");
            if (claims.scope !== "https://www.googleapis.com/auth/firebase.messaging") throw new Error("scope");
            if (claims.aud !== account.token_uri) throw new Error("aud");
            const t = Math.floor(now() / 1000);
            if (Math.abs(claims.iat - t) > 300) throw new Error("iat is not the real time");
            if (claims.exp - claims.iat > 3600 || claims.exp < t) throw new Error("exp");
        } catch (e) {
            refused.push({ service: "oauth", why: e.message, at: now() });
            return answer(res, 400, { error: "invalid_grant", error_description: e.message });
        }
        const access = crypto.randomBytes(24).toString("hex");
        issued.set(access, now() + 3600 * 1000);
        return answer(res, 200, { access_token: access, expires_in: 3600, token_type: "Bearer" });
    }
    if (req.method === "POST" && req.url === "/webhook") {
        // a webhook as a gateway checks it: a signature over "<timestamp>.<body>", a fresh timestamp
        const ts = req.headers["x-qlvb-timestamp"] || "";
        const sig = req.headers["x-qlvb-signature"] || "";
        const want = "sha256=" + crypto.createHmac("sha256", WEBHOOK_SECRET).update(`${ts}.${raw}`).digest("hex");
        if (sig.length !== want.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want))) {
            refused.push({ service: "webhook", why: "bad signature", at: now() });
            return answer(res, 401, { error: "bad signature" });
        }
        if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - Math.floor(now() / 1000)) > 300) {
            refused.push({ service: "webhook", why: "stale timestamp", at: now() });
            return answer(res, 401, { error: "stale timestamp" });
        }
        const m = JSON.parse(raw.toString());
        const b = behaviour(m.to);
        if (b === "unregistered") return answer(res, 410, { error: "no such subscriber" });
        if (b === "500") return answer(res, 500, {});
        accepted.push({ service: "webhook", token: m.to, message_id: m.data?.message_id, ids: m.data?.notification_ids,
                        kind: m.data?.kind, title: m.title, at: now() });
        return answer(res, 200, { ok: true });
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url);
    if (req.method !== "POST" || !m) return answer(res, 404, { error: { code: 404, status: "NOT_FOUND" } });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization || "");
    if (!auth || !(issued.get(auth[1]) > now())) {
        refused.push({ service: "fcm", why: "no valid access token", at: now() });
        return answer(res, 401, { error: { code: 401, status: "UNAUTHENTICATED" } });
    }
    let msg;
    try {
        if (m[1] !== account.project_id) throw new Error("another project");
        const j = JSON.parse(raw.toString());
        for (const k of Object.keys(j)) if (k !== "message" && k !== "validate_only") throw new Error(`unknown field ${k}`);
        msg = j.message;
        fcmMessageCheck(msg);
    } catch (e) {
        refused.push({ service: "fcm", why: e.message, at: now() });
        return answer(res, 400, { error: { code: 400, status: "INVALID_ARGUMENT", message: e.message } });
    }
    if (delayMs) {
        inflight++;
        await new Promise((r) => setTimeout(r, delayMs));
        inflight--;
    }
    const b = behaviour(msg.token);
    if (b === "timeout") return;                 // never answers
    if (b === "unregistered")
        return answer(res, 404, { error: { code: 404, status: "NOT_FOUND",
            details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }] } });
    if (b === "429") return answer(res, 429, { error: { code: 429, status: "RESOURCE_EXHAUSTED" } }, { "retry-after": "1" });
    if (b === "invalid") return answer(res, 400, { error: { code: 400, status: "INVALID_ARGUMENT" } });
    if (b === "500") return answer(res, 500, { error: { code: 500, status: "INTERNAL" } });
    accepted.push({ service: "fcm", token: msg.token, message_id: msg.data?.message_id, ids: msg.data?.notification_ids,
                    kind: msg.data?.kind, alert: !!msg.notification,
                    title: msg.notification?.title, body: msg.notification?.body, priority: msg.android?.priority, at: now() });
    answer(res, 200, { name: `projects/${m[1]}/messages/${crypto.randomUUID()}` });
}).listen(Number(process.env.FAKE_FCM_PORT), "127.0.0.1");

// APNs: HTTP/2 over TLS
const apns = http2.createSecureServer({ key: read("apns-server-key.pem"), cert: read("apns-server-cert.pem") });
apns.on("stream", async (stream, headers) => {
    const raw = await new Promise((resolve) => {
        const chunks = [];
        stream.on("data", (c) => chunks.push(c));
        stream.on("end", () => resolve(Buffer.concat(chunks)));
    });
    const reply = (status, obj, extra = {}) => {
        stream.respond({ ":status": status, "content-type": "application/json", ...extra });
        stream.end(obj ? JSON.stringify(obj) : "");
    };
    const m = /^\/3\/device\/([0-9A-Za-z._-]+)$/.exec(headers[":path"] || "");
    if (headers[":method"] !== "POST" || !m) return reply(404, { reason: "BadPath" });
    try {
        const auth = /^bearer (.+)$/i.exec(headers.authorization || "");
        if (!auth) throw new Error("MissingProviderToken");
        const { header, claims } = jwtCheck(auth[1], "ES256", apnsPublic, "ieee-p1363");
        if (header.kid !== APNS_KEY_ID) throw new Error("InvalidProviderToken: kid");
        if (claims.iss !== TEAM) throw new Error("InvalidProviderToken: iss");
        const t = Math.floor(now() / 1000);
        if (claims.iat > t + 60) throw new Error("InvalidProviderToken: iat in the future");
        if (t - claims.iat > 3600) throw new Error("ExpiredProviderToken");
        const last = providerTokens[providerTokens.length - 1];
        if (!last || last.jwt !== auth[1]) {
            if (last && now() - last.at < 20 * 60 * 1000) throw new Error("TooManyProviderTokenUpdates");
            providerTokens.push({ jwt: auth[1], at: now() });
        }
        if (headers["apns-topic"] !== TOPIC) throw new Error("BadTopic");
        if (!["alert", "background"].includes(headers["apns-push-type"])) throw new Error("InvalidPushType");
        if (!["5", "10"].includes(headers["apns-priority"] || "10")) throw new Error("BadPriority");
        if (headers["apns-push-type"] === "background" && headers["apns-priority"] !== "5")
            throw new Error("BadPriority: a background push is sent with priority 5");
        if ((headers["apns-collapse-id"] || "").length > 64) throw new Error("BadCollapseId");
        if (raw.length > 4096) throw new Error("PayloadTooLarge");
        const p = JSON.parse(raw.toString());
        if (!p.aps) throw new Error("PayloadEmpty");
        if (headers["apns-push-type"] === "background" && (p.aps.alert || p.aps["content-available"] !== 1))
            throw new Error("BadPayload: a background push has content-available and no alert");
        const b = behaviour(m[1]);
        if (b === "timeout") return;
        if (b === "unregistered") return reply(410, { reason: "Unregistered", timestamp: now() });
        if (b === "bad") return reply(400, { reason: "BadDeviceToken" });
        if (b === "429") return reply(429, { reason: "TooManyRequests" }, { "retry-after": "1" });
        if (b === "500") return reply(500, { reason: "InternalServerError" });
        accepted.push({ service: "apns", token: m[1], message_id: p.message_id, ids: p.notification_ids,
                        push_type: headers["apns-push-type"], kind: p.kind,
                        collapse_id: headers["apns-collapse-id"], priority: headers["apns-priority"],
                        title: p.aps.alert?.title, body: p.aps.alert?.body, at: now() });
        reply(200, null, { "apns-id": crypto.randomUUID() });
    } catch (e) {
        refused.push({ service: "apns", why: e.message, at: now() });
        const status = /Provider|TooMany/.test(e.message) ? 403 : 400;
        reply(e.message === "TooManyProviderTokenUpdates" ? 429 : status, { reason: e.message.split(":")[0] });
    }
});
apns.listen(Number(process.env.FAKE_APNS_PORT), "127.0.0.1");

// control: the record, and the answers to give
http.createServer(async (req, res) => {
    const raw = (await body(req)).toString();
    if (req.method === "GET" && req.url === "/log") return answer(res, 200, { accepted, refused, inflight, provider_tokens: providerTokens.length });
    if (req.method === "POST" && req.url === "/behave") {
        const { token, answer: a, times } = JSON.parse(raw);
        if (!behaviours.has(token)) behaviours.set(token, []);
        behaviours.get(token).push({ answer: a, times: times ?? null });
        return answer(res, 200, { ok: true });
    }
    if (req.method === "POST" && req.url === "/delay") {
        delayMs = JSON.parse(raw).ms || 0;
        return answer(res, 200, { ok: true });
    }
    if (req.method === "POST" && req.url === "/reset") {
        accepted.length = 0; refused.length = 0; behaviours.clear();
        return answer(res, 200, { ok: true });
    }
    answer(res, 404, {});
}).listen(Number(process.env.FAKE_CONTROL_PORT), "127.0.0.1");
