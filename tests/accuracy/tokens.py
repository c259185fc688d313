"""
tokens.py - credential generators for the accuracy corpus.

Every generator draws from the caller's random.Random, so a fixed seed gives the same corpus on
every run. Each token is built from the provider's documented format (prefix, alphabet, length,
checksum where one exists: GitHub and npm CRC32/base62, PyPI macaroon header, JWT JSON parts, DER
lead-in for PEM bodies). Nothing here is a real credential; nothing is pasted: the tokens only exist
in the build directory while the test runs.

KINDS maps a rule id to (variable name used when the token is written into code or config,
generator). The variable name is the one a developer would use; rules that need a keyword next to
the value (datadog.api-key, twilio.auth-token, ...) rely on it.
"""
import base64
import json
import string
import uuid
import zlib

A62 = string.ascii_letters + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = A62 + "+/"
B64URL = A62 + "-_"
B32 = string.ascii_uppercase + "234567"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
BASE62_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rs(rng, n, alphabet=A62):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rs_end(rng, n, alphabet):
    """n characters of alphabet whose first and last are alphanumeric (word boundaries hold)."""
    if n < 2:
        return rs(rng, n, A62)
    return rs(rng, 1, A62) + rs(rng, n - 2, alphabet) + rs(rng, 1, A62)


def digits(rng, n):
    return str(rng.randint(1, 9)) + rs(rng, n - 1, string.digits)


def base62(v, width):
    out = []
    for _ in range(width):
        out.append(BASE62_DIGITS[v % 62])
        v //= 62
    return "".join(reversed(out))


def crc_token(rng, prefix):
    """GitHub/npm scheme: 30 random base62 characters, then base62(crc32(those 30)) in 6."""
    body = rs(rng, 30)
    return prefix + body + base62(zlib.crc32(body.encode()) & 0xFFFFFFFF, 6)


def uuid4(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def b64url_nopad(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pypi_token(rng, location="pypi.org"):
    """pypi- + base64url of a v2 macaroon: location, identifier, caveat, signature fields."""
    ident = uuid4(rng).encode()
    loc = location.encode()
    caveat = json.dumps({"version": 1, "permissions": {"projects": ["acme-tools"]}}).encode()
    mac = (b"\x02\x01" + bytes([len(loc)]) + loc + b"\x02" + bytes([len(ident)]) + ident +
           b"\x00\x02" + bytes([len(caveat)]) + caveat + b"\x00\x06\x20" +
           bytes(rng.getrandbits(8) for _ in range(32)))
    return "pypi-" + b64url_nopad(mac)


def jwt(rng, claims=None):
    header = {"alg": "HS256", "typ": "JWT"}
    payload = claims or {"sub": "svc-" + rs(rng, 6, string.ascii_lowercase),
                         "iat": 1700000000 + rng.randint(0, 9999999),
                         "scope": "billing:write"}
    sig = bytes(rng.getrandbits(8) for _ in range(32))
    return ".".join([b64url_nopad(json.dumps(header, separators=(",", ":")).encode()),
                     b64url_nopad(json.dumps(payload, separators=(",", ":")).encode()),
                     b64url_nopad(sig)])


def der_body(rng, nbytes):
    """base64 of a DER SEQUENCE with a two-byte length and random content, 64 per line."""
    data = b"\x30\x82" + nbytes.to_bytes(2, "big") + bytes(rng.getrandbits(8) for _ in range(nbytes))
    b = base64.b64encode(data).decode()
    return [b[i:i + 64] for i in range(0, len(b), 64)]


def pem(rng, label, nbytes=1190):
    return ["-----BEGIN %s-----" % label] + der_body(rng, nbytes) + ["-----END %s-----" % label]


def openssh_key(rng):
    data = b"openssh-key-v1\x00" + bytes(rng.getrandbits(8) for _ in range(380))
    b = base64.b64encode(data).decode()
    return (["-----BEGIN OPENSSH PRIVATE KEY-----"] + [b[i:i + 70] for i in range(0, len(b), 70)] +
            ["-----END OPENSSH PRIVATE KEY-----"])


def pgp_key(rng):
    b = base64.b64encode(b"\x95\x03\xc6" + bytes(rng.getrandbits(8) for _ in range(900))).decode()
    return (["-----BEGIN PGP PRIVATE KEY BLOCK-----", ""] + [b[i:i + 64] for i in range(0, len(b), 64)] +
            ["=" + rs(rng, 4, B64), "-----END PGP PRIVATE KEY BLOCK-----"])


def password(rng, n=20):
    return rs_end(rng, n, A62 + "!#%^*_-")


def apr1(rng):
    salt_alpha = "./" + A62
    return "$apr1$" + rs(rng, 8, salt_alpha) + "$" + rs(rng, 22, salt_alpha)


# rule id -> (variable name, generator)
KINDS = {
    "aws.access-key-id": ("AWS_ACCESS_KEY_ID", lambda r: "AKIA" + rs(r, 16, B32)),
    "aws.secret-access-key": ("AWS_SECRET_ACCESS_KEY", lambda r: rs_end(r, 40, B64)),
    "aws.session-token": ("AWS_SESSION_TOKEN", lambda r: "IQoJb3JpZ2luX2Vj" + rs(r, 340, B64)),
    "github.pat.classic": ("GITHUB_TOKEN", lambda r: crc_token(r, "ghp_")),
    "github.oauth": ("GH_OAUTH_TOKEN", lambda r: crc_token(r, "gho_")),
    "github.app.installation": ("GH_INSTALLATION_TOKEN", lambda r: crc_token(r, "ghs_")),
    "github.app.refresh": ("GH_REFRESH_TOKEN", lambda r: crc_token(r, "ghr_")),
    "github.app.user-to-server": ("GH_USER_TOKEN", lambda r: crc_token(r, "ghu_")),
    "github.pat.fine-grained": ("GH_TOKEN", lambda r: "github_pat_11" + rs(r, 20) + "_" + rs(r, 59)),
    "gitlab.pat": ("GITLAB_TOKEN", lambda r: "glpat-" + rs_end(r, 20, B64URL)),
    "gitlab.runner-token": ("RUNNER_TOKEN", lambda r: "glrt-" + rs_end(r, 20, B64URL)),
    "gitlab.deploy-token": ("DEPLOY_TOKEN", lambda r: "gldt-" + rs_end(r, 20, B64URL)),
    "gitlab.pipeline-trigger-token": ("TRIGGER_TOKEN", lambda r: "glptt-" + rs(r, 40, HEX)),
    "gitlab.runner-registration-token": ("REGISTRATION_TOKEN", lambda r: "GR1348941" + rs(r, 20)),
    "slack.bot-token": ("SLACK_BOT_TOKEN",
                        lambda r: "xoxb-%s-%s-%s" % (digits(r, 12), digits(r, 13), rs(r, 24))),
    "slack.user-token": ("SLACK_USER_TOKEN",
                         lambda r: "xoxp-%s-%s-%s-%s" % (digits(r, 12), digits(r, 12), digits(r, 13),
                                                         rs(r, 32, HEX))),
    "slack.app-token": ("SLACK_APP_TOKEN",
                        lambda r: "xapp-1-A%s-%s-%s" % (rs(r, 10, UPPER_DIGITS), digits(r, 13),
                                                        rs(r, 64, HEX))),
    "slack.webhook": ("SLACK_WEBHOOK_URL",
                      lambda r: "https://hooks.slack.com/services/T%s/B%s/%s" % (
                          rs(r, 10, UPPER_DIGITS), rs(r, 10, UPPER_DIGITS), rs(r, 24))),
    "stripe.secret-key.live": ("STRIPE_SECRET_KEY", lambda r: "sk_live_51" + rs(r, 97)),
    "stripe.restricted-key.live": ("STRIPE_RESTRICTED_KEY", lambda r: "rk_live_51" + rs(r, 97)),
    "stripe.webhook-secret": ("STRIPE_WEBHOOK_SECRET", lambda r: "whsec_" + rs(r, 32)),
    "sendgrid.api-key": ("SENDGRID_API_KEY",
                         lambda r: "SG." + rs_end(r, 22, B64URL) + "." + rs_end(r, 43, B64URL)),
    "twilio.api-key": ("TWILIO_API_KEY", lambda r: "SK" + rs(r, 32, HEX)),
    "twilio.auth-token": ("TWILIO_AUTH_TOKEN", lambda r: rs(r, 32, HEX)),
    "openai.project-key": ("OPENAI_API_KEY",
                           lambda r: "sk-proj-" + rs_end(r, 74, B64URL) + "T3BlbkFJ" + rs_end(r, 74, B64URL)),
    "openai.user-key": ("OPENAI_KEY", lambda r: "sk-" + rs(r, 20) + "T3BlbkFJ" + rs(r, 20)),
    "anthropic.api-key": ("ANTHROPIC_API_KEY",
                          lambda r: "sk-ant-api03-" + rs_end(r, 93, B64URL) + "AA"),
    "huggingface.token": ("HF_TOKEN", lambda r: "hf_" + rs(r, 34, string.ascii_letters)),
    "google.api-key": ("GOOGLE_MAPS_KEY", lambda r: "AIzaSy" + rs_end(r, 33, B64URL)),
    "google.oauth-client-secret": ("GOOGLE_CLIENT_SECRET", lambda r: "GOCSPX-" + rs_end(r, 28, B64URL)),
    "google.oauth-access-token": ("GOOGLE_ACCESS_TOKEN", lambda r: "ya29.a0" + rs_end(r, 150, B64URL)),
    "npm.access-token": ("NPM_TOKEN", lambda r: crc_token(r, "npm_")),
    "pypi.api-token": ("PYPI_TOKEN", lambda r: pypi_token(r)),
    "rubygems.api-key": ("GEM_HOST_API_KEY", lambda r: "rubygems_" + rs(r, 48, HEX)),
    "docker.hub.pat": ("DOCKERHUB_TOKEN", lambda r: "dckr_pat_" + rs_end(r, 27, B64URL)),
    "digitalocean.pat": ("DIGITALOCEAN_TOKEN", lambda r: "dop_v1_" + rs(r, 64, HEX)),
    "databricks.pat": ("DATABRICKS_TOKEN", lambda r: "dapi" + rs(r, 32, HEX)),
    "vault.service-token": ("VAULT_TOKEN", lambda r: "hvs." + rs_end(r, 90, B64URL)),
    "terraform.cloud-token": ("TFE_TOKEN", lambda r: rs(r, 14) + ".atlasv1." + rs_end(r, 67, B64URL)),
    "shopify.access-token": ("SHOPIFY_ACCESS_TOKEN", lambda r: "shpat_" + rs(r, 32, HEX)),
    "mailgun.api-key": ("MAILGUN_KEY", lambda r: "key-" + rs(r, 32, HEX)),
    "mailchimp.api-key": ("MAILCHIMP_KEY", lambda r: rs(r, 32, HEX) + "-us21"),
    "sentry.user-token": ("SENTRY_AUTH_TOKEN", lambda r: "sntryu_" + rs(r, 64, HEX)),
    "linear.api-key": ("LINEAR_API_KEY", lambda r: "lin_api_" + rs(r, 40)),
    "notion.integration-token": ("NOTION_TOKEN", lambda r: "ntn_" + digits(r, 11) + rs(r, 35)),
    "doppler.service-token": ("DOPPLER_TOKEN", lambda r: "dp.st.prd." + rs(r, 43)),
    "pulumi.access-token": ("PULUMI_ACCESS_TOKEN", lambda r: "pul-" + rs(r, 40, HEX)),
    "postman.api-key": ("POSTMAN_API_KEY", lambda r: "PMAK-" + rs(r, 24, HEX) + "-" + rs(r, 34, HEX)),
    "newrelic.user-api-key": ("NEW_RELIC_API_KEY", lambda r: "NRAK-" + rs(r, 27, UPPER_DIGITS)),
    "discord.webhook": ("DISCORD_WEBHOOK",
                        lambda r: "https://discord.com/api/webhooks/%s/%s" % (digits(r, 18),
                                                                              rs_end(r, 68, B64URL))),
    "telegram.bot-token": ("TELEGRAM_BOT_TOKEN",
                           lambda r: digits(r, 10) + ":AA" + rs_end(r, 33, B64URL)),
    "groq.api-key": ("GROQ_API_KEY", lambda r: "gsk_" + rs(r, 52)),
    "replicate.api-token": ("REPLICATE_API_TOKEN", lambda r: "r8_" + rs(r, 37)),
    "perplexity.api-key": ("PPLX_KEY", lambda r: "pplx-" + rs(r, 48)),
    "age.secret-key": ("SOPS_AGE_KEY", lambda r: "AGE-SECRET-KEY-1" + rs(r, 58, BECH32)),
    "square.access-token": ("SQUARE_ACCESS_TOKEN", lambda r: "EAAA" + rs_end(r, 60, B64URL)),
    "heroku.api-key": ("HEROKU_API_KEY", lambda r: "HRKU-AA" + rs_end(r, 58, B64URL)),
    "atlassian.api-token": ("JIRA_API_TOKEN",
                            lambda r: "ATATT3xFfGF0" + rs_end(r, 170, B64URL) + "=" + rs(r, 8, "0123456789ABCDEF")),
    "grafana.service-account-token": ("GRAFANA_TOKEN", lambda r: "glsa_" + rs(r, 32) + "_" + rs(r, 8, HEX)),
    "dynatrace.api-token": ("DT_API_TOKEN",
                            lambda r: "dt0c01." + rs(r, 24, UPPER_DIGITS) + "." + rs(r, 64, UPPER_DIGITS)),
    "azure.entra.client-secret": ("AZURE_CLIENT_SECRET",
                                  lambda r: rs(r, 3) + rs(r, 1, string.digits) + "Q~" + rs_end(r, 34, A62 + "_~.-")),
    "jfrog.api-key": ("ARTIFACTORY_API_KEY", lambda r: "AKCp" + rs(r, 69)),
    "circleci.personal-token": ("CIRCLE_TOKEN", lambda r: "CCIPAT_" + rs(r, 22) + "_" + rs(r, 40, HEX)),
    "buildkite.api-token": ("BUILDKITE_API_TOKEN", lambda r: "bkua_" + rs(r, 40, HEX)),
    "sonarqube.user-token": ("SONAR_TOKEN", lambda r: "squ_" + rs(r, 40, HEX)),
    "supabase.access-token": ("SUPABASE_ACCESS_TOKEN", lambda r: "sbp_" + rs(r, 40, HEX)),
    "netlify.pat": ("NETLIFY_AUTH_TOKEN", lambda r: "nfp_" + rs(r, 36)),
    "nuget.api-key": ("NUGET_API_KEY", lambda r: "oy2" + rs(r, 43, LOWER_DIGITS)),
    "planetscale.service-token": ("PLANETSCALE_TOKEN", lambda r: "pscale_tkn_" + rs_end(r, 43, B64URL)),
    "1password.service-account-token": ("OP_SERVICE_ACCOUNT_TOKEN", lambda r: "ops_eyJ" + rs(r, 300, B64)),
    "xai.api-key": ("XAI_API_KEY", lambda r: "xai-" + rs(r, 80)),
    "langsmith.api-key": ("LANGSMITH_API_KEY", lambda r: "lsv2_pt_" + rs(r, 32, HEX) + "_" + rs(r, 10, HEX)),
    "hubspot.private-app-token": ("HUBSPOT_TOKEN", lambda r: "pat-na1-" + uuid4(r)),
    "airtable.pat": ("AIRTABLE_TOKEN", lambda r: "pat" + rs(r, 14) + "." + rs(r, 64, HEX)),
    "contentful.pat": ("CONTENTFUL_MANAGEMENT_TOKEN", lambda r: "CFPAT-" + rs_end(r, 43, B64URL)),
    "figma.pat": ("FIGMA_TOKEN", lambda r: "figd_" + rs_end(r, 40, B64URL)),
    "bitbucket.app-password": ("BITBUCKET_APP_PASSWORD", lambda r: "ATBB" + rs(r, 32)),
    "alibaba.access-key-id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", lambda r: "LTAI5t" + rs(r, 18)),
    "okta.api-token": ("OKTA_API_TOKEN", lambda r: "00" + rs_end(r, 40, B64URL)),
    "azure.devops.pat": ("AZURE_DEVOPS_PAT", lambda r: rs(r, 52, "abcdefghijklmnopqrstuvwxyz234567")),
    "heroku.api-key.legacy": ("HEROKU_API_KEY", lambda r: uuid4(r)),
    "snyk.api-token": ("SNYK_TOKEN", lambda r: uuid4(r)),
    "datadog.api-key": ("DD_API_KEY", lambda r: rs(r, 32, HEX)),
    "cloudflare.api-token": ("CLOUDFLARE_API_TOKEN", lambda r: rs_end(r, 40, B64URL)),
    "google.oauth-refresh-token": ("GOOGLE_REFRESH_TOKEN", lambda r: "1//0" + rs_end(r, 100, B64URL)),
    "mapbox.secret-token": ("MAPBOX_SECRET_TOKEN",
                            lambda r: "sk.eyJ1IjoiYWNtZSIsImEiOiJj" + rs(r, 20) + "." + rs_end(r, 22, B64URL)),
    "shopify.shared-secret": ("SHOPIFY_API_SECRET", lambda r: "shpss_" + rs(r, 32, HEX)),
    "pinecone.api-key": ("PINECONE_API_KEY", lambda r: "pcsk_" + rs(r, 6) + "_" + rs(r, 60)),
    "sentry.org-token": ("SENTRY_ORG_TOKEN", lambda r: "sntrys_eyJ" + rs(r, 120, B64URL) + rs(r, 1)),
    "generic.jwt": ("SESSION_TOKEN", lambda r: jwt(r)),
}


def gen(rng, rule):
    return KINDS[rule][1](rng)


def var(rule):
    return KINDS[rule][0]
