import { handshakeNames } from '../handshake-request.js'
import { presetNames } from '../presets.js'

const presets = presetNames.join(', ')

const signOptions = `  --preset <name>        ${presets}
  --secret <secret>      the signing secret (default: $WEBHOOK_SECRET, or its alias $HOOKGUARD_SECRET); @file reads it from a file
  --private-key <@file>  a PEM private key: jwt (RS/ES/EdDSA), google-pubsub, sendgrid, sns, Standard Webhooks v1a
  --body <json|@file|->  the payload, sent byte for byte (- reads stdin). Default {"type":"hookguard.test"}
  --id <id>              the event id (default: a fresh one in the sender's format)
  --type <type>          the event type where the sender puts it in a header (GitHub, Shopify, Twitch);
                         microsoft-graph: the changeType of the item it wraps
  --token-header <name>  bearer/jwt: the header carrying the token (default Authorization: Bearer);
                         okta: the header carrying the secret as it is (default Authorization)
  --username <name>      postmark: the Basic user name (default postmark; --secret is the password)
  --issuer, --audience, --subject <value>   jwt claims
  --content-type <type>  default application/json (twilio: form-encoded unless application/json)
  --topic-arn <arn>      sns: the TopicArn (--subject is the notification's Subject)
  --cert-url <url>       sns: the SigningCertURL, where the key's certificate is served
  --signed-url <url>     twilio, hubspot: the URL the sender saw (your publicUrl + path); square: the notification URL. Default: the endpoint
  -H, --add-header <name: value>            an extra header (repeatable)
  --tenant <name>        sign for this tenant: appended to the URL path (/hooks/<name>, and to --signed-url's),
                         or put in --tenant-header <name> or the JWT claim --tenant-claim <name>`

/** Help text per command. */
export const usage = {
  main: `hookguard: sign and send webhooks the way real senders do, to test your receiver.

Usage:
  hookguard sign   --preset <name> --secret <secret> [--body <json|@file>] [options]
  hookguard send   <url> --preset <name> --secret <secret> [--body <json|@file>] [options]
  hookguard secret --preset <name> [--asymmetric]
  hookguard handshake <name> [--secret <secret>] [--verify-token <token>] [--url <url>]
  hookguard inbox  list|show <seq>|replay <seq>|dead [--database-url <url>] [--table <name>]
  hookguard --version    (or -v) the version of @hookguard/testing

Run hookguard <command> --help for a command's options.
Presets: ${presets}

Exit codes: 0 ok, 1 some deliveries failed (inbox: refused), 2 usage error, 3 network error (no answer at all).
`,
  sign: `hookguard sign: print the headers a sender would send, and a ready curl line.

Usage: hookguard sign --preset <name> --secret <secret> [--body <json|@file>] [options]

Options:
${signOptions}
  --timestamp <unix>     when it was signed (default: now)
  --url <url>            the endpoint, for the curl line (QStash and Pub/Sub sign it). Default http://127.0.0.1:3000/hooks
  --json                 print the signed request as JSON
  -h, --help             this help

Example:
  hookguard sign --preset svix --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --body @event.json
`,
  send: `hookguard send: deliver events to a URL as a sender would: signed afresh per attempt, retried with back-off.

Usage: hookguard send <url> --preset <name> --secret <secret> [--body <json|@file>] [options]

Options:
${signOptions}
  --count <n>            how many events (each with its own id). Default 1
  --duplicates <0..1>    the share of delivered events sent once more. Default 0
  --shuffle              deliver out of order
  --retry <policy>       exponential (default), none, or waits in ms: 100,500,2000
  --attempts <n>         exponential: attempts at most, the first included. Default 5
  --base-ms <ms>         exponential: the first wait. Default 500
  --concurrency <n>      deliveries in flight at once. Default 1
  --timeout <ms>         how long an attempt waits for the answer. Default 10000
  --max-duration <ms>    stop the whole run after this long. Default 300000
  --json                 print the report as JSON
  -h, --help             this help

Exit codes: 0 all delivered, 1 some failed, 2 usage error, 3 no answer at all (unreachable URL).

Example:
  hookguard send http://127.0.0.1:3000/hooks --preset svix --secret "$WEBHOOK_SECRET" --body '{"type":"scan.completed"}' --count 20 --duplicates 0.2
`,
  secret: `hookguard secret: generate a fresh secret in the sender's format.

Usage: hookguard secret --preset <name> [--asymmetric] [--json]

Options:
  --preset <name>        ${presets}
  --asymmetric           standard-webhooks/svix: an Ed25519 pair (whsk_/whpk_); jwt: an ES256 key pair
  --json                 print { secret, publicKey } as JSON
  -h, --help             this help

Example:
  export WEBHOOK_SECRET=$(hookguard secret --preset svix)
`,
  handshake: `hookguard handshake: print the verification request a sender makes (a curl line) and the answer it expects.

Usage: hookguard handshake <name> [options]

Handshakes: ${handshakeNames.join(', ')}

Options:
  --secret <secret>      slack-url-verification, zoom-url-validation, twitch-verification, x-crc,
                         okta-verification: the secret (default: $WEBHOOK_SECRET or $HOOKGUARD_SECRET)
  --verify-token <token> meta-subscribe: the verify token of the subscription
  --header <name>        okta-verification: the header carrying the secret (default authorization)
  --challenge <text>     the challenge to send (default: a fresh one)
  --url <url>            the endpoint. Default http://127.0.0.1:3000/hooks
  --json                 print the request and the expected answer as JSON
  -h, --help             this help

Example:
  hookguard handshake meta-subscribe --verify-token "$META_VERIFY_TOKEN" --url https://example.com/hooks/meta
`,
  inbox: `hookguard inbox: read and replay a Postgres inbox (@hookguard/postgres).

Usage:
  hookguard inbox list   [--status pending|done|dead] [--limit <n>] [--json]   newest rows first
  hookguard inbox show   <seq>                                                 one row with its event, as JSON
  hookguard inbox replay <seq>      enqueue a done or dead event again, as a new row (not verified again)
  hookguard inbox dead   [--limit <n>] [--json]                                the dead rows, newest first

Options:
  --database-url <url>   the database (default: $DATABASE_URL)
  --table <name>         the inbox table, name or schema.name. Default hookguard_inbox
  --limit <n>            rows at most (1 to 10000). Default 50
  --json                 print JSON
  -h, --help             this help

Needs @hookguard/postgres and pg installed beside @hookguard/testing.
Exit codes: 0 ok, 1 refused (no such row, still pending, no such table), 2 usage error or the packages
are missing, 3 the database is unreachable.

Example:
  DATABASE_URL=postgres://localhost/app hookguard inbox dead
  hookguard inbox replay 42 --database-url postgres://localhost/app
`,
} as const
