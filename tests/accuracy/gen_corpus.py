#!/usr/bin/env python3
"""
gen_corpus.py OUTDIR - writes the accuracy corpus and its truth manifest (deterministic).

OUTDIR/files/     small projects (Python/Django, JS front end, Terraform + Kubernetes + CI, Go, Java,
                  Ruby + ops dotfiles, .NET, and C/C++ firmware with keys written as source code:
                  #define, setenv(), PEM blocks as quoted string lines, concatenations and arrays) with
                  planted secrets and decoys
OUTDIR/repo/      a git repository built with the git CLI whose secrets live only in deleted files,
                  in superseded versions of a file, and on an unmerged branch
OUTDIR/truth.json {"secrets": [...], "decoys": [...]}: scope (files|git), path (relative to the
                  scope root), line, rule (expected rule id), family, accept (other families that
                  are equally right, e.g. a service-account key is also a private key); decoys carry
                  a kind and a line range

A fixed seed makes every run write the same bytes; tokens are generated from documented formats
(tokens.py), never pasted. Secret lines are recorded where they are written, so the manifest stays
right as the templates change.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import string
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokens as T  # noqa: E402

SEED = 4_2024_0604

# Documented example values published by the providers themselves: never to be reported.
AWS_DOC_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT_IO_SAMPLE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
                 "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMxd36POk6yJV_adQssw5c")
SLACK_DOC_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24


def family(rule):
    return rule.split(".")[0]


class Corpus:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.secrets = []
        self.decoys = []
        self.kinds = set()

    def tok(self, rule):
        self.kinds.add(rule)
        return T.gen(self.rng, rule)


class File:
    """A text file built line by line; secret and decoy lines are recorded as they are added."""

    def __init__(self, corpus, scope, path):
        self.c, self.scope, self.path = corpus, scope, path
        self.lines = []

    def add(self, *texts):
        for t in texts:
            self.lines.extend(t.split("\n"))
        return self

    def secret(self, rule, text, at=0, accept=()):
        self.c.secrets.append({"scope": self.scope, "path": self.path, "line": len(self.lines) + 1 + at,
                               "rule": rule, "family": family(rule), "accept": list(accept)})
        self.c.kinds.add(rule)
        return self.add(text)

    def decoy(self, kind, text):
        first = len(self.lines) + 1
        self.c.decoys.append({"scope": self.scope, "path": self.path, "line": first,
                              "line_end": first + text.count("\n"), "kind": kind})
        return self.add(text)

    def text(self):
        return "\n".join(self.lines) + "\n"


class JsonFile:
    """A generated JSON/text blob: items are located after rendering by a unique needle."""

    def __init__(self, corpus, scope, path):
        self.c, self.scope, self.path = corpus, scope, path
        self.marks = []
        self.body = ""

    def secret(self, rule, needle, accept=()):
        self.c.kinds.add(rule)
        self.marks.append(("s", needle, {"rule": rule, "family": family(rule), "accept": list(accept)}))

    def decoy(self, kind, needle):
        self.marks.append(("d", needle, {"kind": kind}))

    def text(self):
        lines = self.body.split("\n")
        for what, needle, extra in self.marks:
            hits = [i + 1 for i, ln in enumerate(lines) if needle in ln]
            if len(hits) != 1:
                raise SystemExit("gen_corpus: needle %r found %d times in %s" % (needle, len(hits), self.path))
            rec = {"scope": self.scope, "path": self.path, "line": hits[0]}
            rec.update(extra)
            if what == "s":
                self.c.secrets.append(rec)
            else:
                rec["line_end"] = hits[0]
                self.c.decoys.append(rec)
        return self.body if self.body.endswith("\n") else self.body + "\n"


def camel(name):
    parts = name.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def render(style, name, value):
    """One assignment of value to name, as the given language or config format writes it."""
    lo = name.lower()
    return {
        "env": "%s=%s" % (name, value),
        "sh": 'export %s="%s"' % (name, value),
        "py": '%s = "%s"' % (lo, value),
        "pyconst": '%s = "%s"' % (name, value),
        "js": 'const %s = "%s";' % (camel(name), value),
        "jsprop": '  %s: "%s",' % (camel(name), value),
        "yaml": "%s: %s" % (lo, value),
        "yamlq": '%s: "%s"' % (lo, value),
        "json": '  "%s": "%s",' % (lo, value),
        "tf": '  %s = "%s"' % (lo, value),
        "go": '\t%s = "%s"' % (camel(name), value),
        "java": '    private static final String %s = "%s";' % (name, value),
        "rb": "ENV['%s'] ||= '%s'" % (name, value),
        "docker": "ENV %s=%s" % (name, value),
        "gha": "      %s: %s" % (name, value),
        "props": "%s=%s" % (lo.replace("_", "."), value),
        "toml": '%s = "%s"' % (lo, value),
    }[style]


def plant(f, rule, style, name=None):
    value = f.c.tok(rule)
    f.secret(rule, render(style, name or T.var(rule), value))
    return value


def rand_hex(rng, n):
    return T.rs(rng, n, T.HEX)


def sha512_integrity(rng):
    return "sha512-" + base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()


def png_b64(rng, n=600):
    raw = b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(n))
    return base64.b64encode(raw).decode()


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


# ---- project 1: payments-api (Python / Django) --------------------------------------------------

def project_payments(c, out):
    r = c.rng
    files = []
    P = "payments-api/"

    f = File(c, "files", P + "payments/settings.py")
    f.add('"""Django settings for payments."""', "import os", "from pathlib import Path", "",
          "BASE_DIR = Path(__file__).resolve().parent.parent", "")
    dj = "django-insecure-" + T.rs(r, 50, string.ascii_lowercase + string.digits + "!@#%^&*-_=+")
    f.secret("config.django-secret-key", "SECRET_KEY = '%s'" % dj)
    f.add("DEBUG = False", 'ALLOWED_HOSTS = ["payments.acme-corp.net"]', "", "DATABASES = {",
          '    "default": {', '        "ENGINE": "django.db.backends.postgresql",', '        "NAME": "payments",',
          '        "USER": "payments",')
    f.decoy("env-lookup", '        "PASSWORD": os.environ["DB_PASSWORD"],')
    f.add('        "HOST": os.environ.get("DB_HOST", "localhost"),', "    }", "}", "")
    f.decoy("env-lookup", 'STRIPE_SECRET_KEY = os.getenv("STRIPE_SECRET_KEY")')
    plant(f, "stripe.webhook-secret", "pyconst")
    f.decoy("uuid-non-secret", 'PAYMENTS_TENANT_ID = "%s"' % T.uuid4(r))
    f.decoy("placeholder-angle", 'SENDGRID_API_KEY = "<YOUR_SENDGRID_API_KEY>"')
    plant(f, "sendgrid.api-key", "pyconst", "EMAIL_HOST_PASSWORD")
    f.add('LANGUAGE_CODE = "en-us"', 'TIME_ZONE = "UTC"')
    files.append(f)

    f = File(c, "files", P + "payments/clients.py")
    f.add("import requests", "import getpass", "", "", "class StripeClient:",
          "    def __init__(self, api_key=None):")
    f.decoy("env-lookup", '        self.api_key = api_key or os.environ.get("STRIPE_API_KEY")')
    f.add("", "", "def legacy_client():", "    # TODO: move to the secret manager (PAY-1142)")
    f.secret("stripe.secret-key.live", '    return StripeClient(api_key="%s")' % c.tok("stripe.secret-key.live"))
    f.add("", "", "def twilio_client():")
    f.add('    account_sid = "AC%s"' % rand_hex(r, 32))
    tw = c.tok("twilio.auth-token")
    f.secret("twilio.auth-token", '    twilio_auth_token = "%s"' % tw)
    f.add("    return Client(account_sid, twilio_auth_token)", "", "", "def prompt_password():")
    f.decoy("runtime-input", "    password = getpass.getpass()")
    f.decoy("function-call", '    db_password = settings.get("db_password")')
    f.add("    return password", "", "", "def hash_file(path):")
    f.decoy("hash-non-secret", '    EMPTY_SHA256 = "%s"' % hashlib.sha256(b"").hexdigest())
    f.decoy("hash-non-secret", '    checksum = "%s"' % rand_hex(r, 64))
    f.add("    return hashlib.sha256(open(path, 'rb').read()).hexdigest() != EMPTY_SHA256")
    f.add("", "", "def openai_summary(text):")
    f.secret("openai.project-key", '    client = OpenAI(api_key="%s")' % c.tok("openai.project-key"))
    f.add("    return client.responses.create(model='gpt-4.1', input=text)")
    files.append(f)

    f = File(c, "files", P + "tests/test_auth.py")
    f.add("import keyring", "from payments.auth import check", "", "", "def test_hash():")
    f.decoy("password-hash", '    password_hash = "$2b$12$%s"' % T.rs(r, 53, "./" + T.A62))
    f.decoy("keyring-lookup", '    password = keyring.get_password("acme", "deploy")')
    f.decoy("unsigned-jwt", '    token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdmMtdGVzdCJ9."')
    f.decoy("placeholder-word", '    assert check("hunter2", password_hash)')
    files.append(f)

    f = File(c, "files", P + ".env")
    f.add("# local development settings", "DJANGO_SETTINGS_MODULE=payments.settings", "DEBUG=1")
    plant(f, "aws.access-key-id", "env")
    plant(f, "aws.secret-access-key", "env")
    plant(f, "anthropic.api-key", "env")
    plant(f, "huggingface.token", "env")
    f.secret("generic.env-assignment", "SESSION_SECRET=%s" % T.rs(r, 40, T.B64URL[:-1]))
    f.decoy("env-reference", "DB_PASSWORD=${POSTGRES_PASSWORD}")
    f.decoy("placeholder-word", "REDIS_PASSWORD=changeme")
    f.decoy("empty", "SENTRY_DSN=")
    plant(f, "telegram.bot-token", "env")
    f.decoy("secret-manager-reference", "STRIPE_WEBHOOK_SECRET=op://Engineering/payments/webhook-secret")
    f.decoy("constant-name", "OPENAI_KEY_ENV_VAR=OPENAI_API_KEY")
    files.append(f)

    f = File(c, "files", P + ".env.example")
    f.add("# copy to .env and fill in")
    f.decoy("aws-documented-example", "AWS_ACCESS_KEY_ID=" + AWS_DOC_KEY_ID)
    f.decoy("aws-documented-example", "AWS_SECRET_ACCESS_KEY=" + AWS_DOC_SECRET)
    f.decoy("mask-x", "STRIPE_SECRET_KEY=sk_live_" + "x" * 24)
    f.decoy("placeholder-your", "OPENAI_API_KEY=your-openai-api-key-here")
    f.decoy("placeholder-angle", "ANTHROPIC_API_KEY=<your key>")
    f.decoy("mask-star", "TWILIO_AUTH_TOKEN=********************************")
    f.decoy("placeholder-word", "SESSION_SECRET=replace_me_with_a_long_random_string")
    files.append(f)

    f = File(c, "files", P + "requirements.txt")
    f.add("Django==4.2.11 \\")
    f.decoy("lockfile-hash", "    --hash=sha256:%s" % rand_hex(r, 64))
    f.add("requests==2.31.0 \\")
    f.decoy("lockfile-hash", "    --hash=sha256:%s" % rand_hex(r, 64))
    files.append(f)

    f = File(c, "files", P + "docker-compose.yml")
    f.add("services:", "  db:", "    image: postgres:16", "    environment:")
    f.decoy("env-reference", "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}")
    f.add("  api:", "    build: .", "    environment:")
    f.decoy("connection-string-reference",
            "      DATABASE_URL: postgres://payments:${POSTGRES_PASSWORD}@db:5432/payments")
    f.secret("connection-string.database-uri",
             "      ANALYTICS_URL: postgres://analytics:%s@analytics-db.internal:5432/events" % T.password(r))
    f.decoy("image-digest", "    image: redis@sha256:%s" % rand_hex(r, 64))
    files.append(f)

    f = File(c, "files", P + "Dockerfile")
    f.add("FROM python:3.12-slim AS build", "WORKDIR /app", "ARG PIP_INDEX_TOKEN")
    f.decoy("docker-build-secret", "RUN --mount=type=secret,id=pip_token PIP_TOKEN=$(cat /run/secrets/pip_token) pip install -r requirements.txt")
    plant(f, "github.pat.classic", "docker", "GIT_TOKEN")
    f.add("COPY . .", 'CMD ["gunicorn", "payments.wsgi"]')
    files.append(f)

    f = File(c, "files", P + "README.md")
    f.add("# payments-api", "", "Set the credentials in `.env` (see `.env.example`).", "", "```sh")
    f.decoy("env-reference", 'curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com/user')
    f.decoy("placeholder-angle", "export STRIPE_SECRET_KEY=<your Stripe secret key>")
    f.add("```", "", "Example JWT (from jwt.io) accepted by the local stub:", "", "```")
    f.decoy("jwt-io-sample", "Authorization: Bearer " + JWT_IO_SAMPLE)
    f.add("```", "", "Alerts go to Slack, configured like the Slack docs show:", "")
    f.decoy("slack-documented-example", "    SLACK_WEBHOOK_URL=" + SLACK_DOC_WEBHOOK)
    f.add("", "![architecture](data:image/png;base64,%s)" % png_b64(r, 300))
    c.decoys.append({"scope": "files", "path": f.path, "line": len(f.lines), "line_end": len(f.lines),
                     "kind": "base64-image"})
    files.append(f)

    # notebook: JSON-escaped PEM key in a cell, base64 PNG in an output
    nb = JsonFile(c, "files", P + "notebooks/reconciliation.ipynb")
    key_lines = T.pem(r, "RSA PRIVATE KEY", 1190)
    sa_key = T.pem(r, "PRIVATE KEY", 1218)
    hf = c.tok("huggingface.token")
    png = png_b64(r, 900)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Reconciliation\n", "Pulls the ledger export.\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
         "source": ["import pandas as pd\n", "from cryptography.hazmat.primitives import serialization\n",
                    "SIGNING_KEY = \"\"\"" + "\n".join(key_lines) + "\"\"\"\n"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {},
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": png, "text/plain": ["<Figure size 640x480>"]}}],
         "source": ["hf_token = \"%s\"\n" % hf, "df.plot()\n"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [],
         "source": ["creds = {\"type\": \"service_account\", \"project_id\": \"acme-ledger\", "
                    "\"private_key\": \"" + "\\n".join(sa_key) + "\\n\"}\n"]},
    ]
    nb.body = json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
                          "nbformat": 4, "nbformat_minor": 5}, indent=1)
    nb.secret("private-key.rsa", key_lines[1][:40])
    nb.secret("huggingface.token", hf)
    nb.decoy("base64-image", png[:60])
    nb.secret("private-key.pkcs8", sa_key[1][:40], accept=["google"])
    files.append(nb)

    # a GCP service-account key file
    sa = JsonFile(c, "files", P + "deploy/gcp-sa.json")
    pk = T.pem(r, "PRIVATE KEY", 1218)
    sa.body = json.dumps({"type": "service_account", "project_id": "acme-payments",
                          "private_key_id": rand_hex(r, 40),
                          "private_key": "\n".join(pk) + "\n",
                          "client_email": "deployer@acme-payments.iam.gserviceaccount.com",
                          "client_id": T.digits(r, 21), "token_uri": "https://oauth2.googleapis.com/token"},
                         indent=2)
    sa.secret("google.service-account-key", pk[1][:40], accept=["private-key"])
    files.append(sa)
    return files


# ---- project 2: web-frontend (JavaScript) -------------------------------------------------------

def project_frontend(c, out):
    r = c.rng
    files = []
    P = "web-frontend/"

    f = File(c, "files", P + "src/config.js")
    f.add("// runtime configuration", "export const config = {")
    f.decoy("env-lookup", "  stripePublishableKey: process.env.STRIPE_PUBLISHABLE_KEY,")
    plant(f, "google.api-key", "jsprop")
    f.decoy("env-lookup", "  apiToken: process.env.API_TOKEN,")
    f.decoy("uuid-non-secret", '  sessionId: "%s",' % T.uuid4(r))
    f.decoy("git-sha", '  buildCommit: "%s",' % rand_hex(r, 40))
    f.add("};", "")
    f.secret("generic.api-token", 'const apiKey = "%s";' % T.rs(r, 32))
    plant(f, "openai.user-key", "js")
    f.decoy("template-literal", "const authHeader = `Bearer ${token}`;")
    f.decoy("placeholder-word", 'const password = "password";')
    f.decoy("sequence", 'const secret = "abcdefghijklmnopqrstuvwxyz";')
    f.decoy("repeated", 'const apiKey2 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaa";')
    files.append(f)

    f = File(c, "files", P + ".npmrc")
    f.add("registry=https://registry.npmjs.org/")
    npm = c.tok("npm.access-token")
    f.secret("npm.access-token", "//registry.npmjs.org/:_authToken=" + npm)
    f.decoy("env-reference", "//npm.pkg.github.com/:_authToken=${GITHUB_PACKAGES_TOKEN}")
    f.add("always-auth=true")
    files.append(f)

    f = File(c, "files", P + ".env.production")
    plant(f, "slack.webhook", "env")
    plant(f, "sentry.user-token", "env")
    plant(f, "mapbox.secret-token", "env")
    f.decoy("public-key-prefix", "NEXT_PUBLIC_STRIPE_KEY=pk_live_%s" % T.rs(r, 24))
    plant(f, "contentful.pat", "env")
    plant(f, "figma.pat", "env")
    files.append(f)

    # package.json / package-lock.json / yarn.lock
    f = File(c, "files", P + "package.json")
    f.add("{", '  "name": "web-frontend",', '  "version": "3.4.1",', '  "private": true,',
          '  "scripts": {"build": "vite build", "test": "vitest"},',
          '  "dependencies": {"react": "^18.2.0", "axios": "^1.6.0"}', "}")
    files.append(f)

    lock = JsonFile(c, "files", P + "package-lock.json")
    pkgs = {"": {"name": "web-frontend", "version": "3.4.1"}}
    integ = []
    for name, ver in [("react", "18.2.0"), ("axios", "1.6.7"), ("loose-envify", "1.4.0"),
                      ("js-tokens", "4.0.0"), ("follow-redirects", "1.15.5"), ("form-data", "4.0.0")]:
        h = sha512_integrity(r)
        integ.append(h)
        pkgs["node_modules/" + name] = {"version": ver,
                                        "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz" % (name, name, ver),
                                        "integrity": h}
    lock.body = json.dumps({"name": "web-frontend", "version": "3.4.1", "lockfileVersion": 3,
                            "requires": True, "packages": pkgs}, indent=2)
    for h in integ[:4]:
        lock.decoy("lockfile-integrity", h[:40])
    files.append(lock)

    f = File(c, "files", P + "yarn.lock")
    f.add("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", "")
    for name, ver in [("react", "18.2.0"), ("scheduler", "0.23.0"), ("axios", "1.6.7")]:
        f.add('%s@^%s:' % (name, ver), '  version "%s"' % ver)
        f.decoy("lockfile-resolved-sha", '  resolved "https://registry.yarnpkg.com/%s/-/%s-%s.tgz#%s"'
                % (name, name, ver, rand_hex(r, 40)))
        f.decoy("lockfile-integrity", "  integrity " + sha512_integrity(r))
        f.add("")
    files.append(f)

    # index.html with SRI and an inline image
    f = File(c, "files", P + "index.html")
    f.add("<!doctype html>", "<html>", "<head>")
    f.decoy("sri-hash", '<script src="https://cdn.example-cdn.net/lib.js" integrity="sha384-%s" crossorigin="anonymous"></script>'
            % base64.b64encode(bytes(r.getrandbits(8) for _ in range(48))).decode())
    f.decoy("base64-image", '<link rel="icon" href="data:image/png;base64,%s">' % png_b64(r, 200))
    f.add("</head>", '<body><div id="root"></div></body>', "</html>")
    files.append(f)

    # a minified bundle: one very long line with one leaked key and plenty of noise
    bundle_key = c.tok("stripe.restricted-key.live")
    font = base64.b64encode(bytes(r.getrandbits(8) for _ in range(3000))).decode()
    parts = []
    for i in range(120):
        parts.append('function %s(e,t){return e[%d]^t.%s}' % (T.rs(r, 2, string.ascii_letters), i,
                                                              T.rs(r, 3, string.ascii_lowercase)))
        if i == 40:
            parts.append('var Qk={stripeKey:"%s",api:"https://api.acme-corp.net"}' % bundle_key)
        if i == 70:
            parts.append('var Zf="data:font/woff2;base64,%s"' % font)
        if i == 90:
            parts.append('var Hx="%s"' % rand_hex(r, 64))
    f = File(c, "files", P + "dist/assets/index-4f9a1c.min.js")
    f.add("/*! acme web-frontend | MIT */")
    f.secret("stripe.restricted-key.live", ";".join(parts) + ";")
    f.add("//# sourceMappingURL=index-4f9a1c.min.js.map")
    files.append(f)
    return files


# ---- project 3: platform-infra (Terraform, Kubernetes, CI) -------------------------------------

def project_infra(c, out):
    r = c.rng
    files = []
    P = "platform-infra/"

    f = File(c, "files", P + "terraform/main.tf")
    f.add('terraform {', '  required_version = ">= 1.6"', "}", "", 'provider "aws" {', '  region = "eu-west-1"')
    f.decoy("terraform-var", "  access_key = var.aws_access_key")
    f.decoy("terraform-var", "  secret_key = var.aws_secret_key")
    f.add("}", "", 'provider "digitalocean" {')
    plant(f, "digitalocean.pat", "tf", "TOKEN")
    f.add("}", "", 'provider "cloudflare" {')
    cf = c.tok("cloudflare.api-token")
    f.secret("cloudflare.api-token", '  cloudflare_api_token = "%s"' % cf)
    f.add("}", "", 'resource "aws_db_instance" "main" {', '  engine   = "postgres"', '  username = "app"')
    f.decoy("terraform-reference", "  password = random_password.db.result")
    f.add("}", "", 'resource "aws_ssm_parameter" "api" {', '  name  = "/app/api_key"', '  type  = "SecureString"')
    f.decoy("terraform-reference", "  value = data.aws_secretsmanager_secret_version.api.secret_string")
    f.add("}", "", 'resource "datadog_monitor" "cpu" {', '  name = "cpu"', "}", "", 'provider "datadog" {')
    plant(f, "datadog.api-key", "tf", "DD_API_KEY")
    f.decoy("terraform-var", "  app_key = var.datadog_app_key")
    f.add("}")
    files.append(f)

    f = File(c, "files", P + "terraform/terraform.tfvars")
    f.add('region = "eu-west-1"')
    plant(f, "terraform.cloud-token", "toml", "TFE_TOKEN")
    f.secret("generic.password", 'db_admin_password = "%s"' % T.password(r, 18))
    f.decoy("mask-star", 'grafana_password = "************"')
    f.decoy("null-value", "slack_token = null")
    plant(f, "vault.service-token", "toml", "VAULT_TOKEN")
    files.append(f)

    f = File(c, "files", P + "k8s/secret.yaml")
    f.add("apiVersion: v1", "kind: Secret", "metadata:", "  name: api-credentials", "  namespace: prod",
          "type: Opaque", "data:")
    db = base64.b64encode(T.password(r, 22).encode()).decode()
    f.secret("config.kubernetes-secret", "  db-password: " + db)
    files.append(f)

    f = File(c, "files", P + "k8s/deployment.yaml")
    f.add("apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: api", "spec:", "  template:",
          "    spec:", "      containers:", "      - name: api")
    f.decoy("image-digest", "        image: registry.acme-corp.net/api@sha256:%s" % rand_hex(r, 64))
    f.add("        env:", "        - name: DB_PASSWORD", "          valueFrom:", "            secretKeyRef:",
          "              name: api-credentials")
    f.decoy("secret-reference", "              key: db-password")
    f.add("        - name: SLACK_BOT_TOKEN")
    f.secret("slack.bot-token", '          value: "%s"' % c.tok("slack.bot-token"))
    f.add("      volumes:", "      - name: tls", "        secret:")
    f.decoy("k8s-secret-name", "          secretName: payments-db-credentials")
    files.append(f)

    f = File(c, "files", P + "k8s/external-secret.yaml")
    f.add("apiVersion: external-secrets.io/v1beta1", "kind: ExternalSecret", "metadata:", "  name: stripe",
          "spec:", "  secretStoreRef:", "    name: aws-secrets-manager", "  data:", "  - secretKey: api-key",
          "    remoteRef:")
    f.decoy("secret-manager-name", "      key: prod/payments/stripe-api-key")
    f.decoy("secret-manager-name", "  secret_name: prod/payments/stripe-api-key")
    files.append(f)

    f = File(c, "files", P + "cloudformation/db.yaml")
    f.add("Resources:", "  Database:", "    Type: AWS::RDS::DBInstance", "    Properties:",
          "      MasterUsername: admin")
    f.decoy("cloudformation-reference",
            "      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'")
    f.add("  Replica:", "    Type: AWS::RDS::DBInstance", "    Properties:")
    f.decoy("cloudformation-reference", "      password: !Ref DatabaseMasterPassword")
    files.append(f)

    f = File(c, "files", P + "oidc/client.yaml")
    f.add("client_id: payments-portal")
    f.decoy("identifier-value", "token_endpoint_auth_method: client_secret_basic")
    f.decoy("env-reference", "client_secret: ${OIDC_CLIENT_SECRET}")
    f.decoy("url-value", "token_url: https://login.acme-corp.net/oauth2/v1/token")
    files.append(f)

    f = File(c, "files", P + "helm/templates/secret.yaml")
    f.add("apiVersion: v1", "kind: Secret", "metadata:", "  name: {{ .Release.Name }}-creds", "type: Opaque",
          "data:")
    f.decoy("helm-template", "  api-key: {{ .Values.apiKey | b64enc | quote }}")
    f.decoy("helm-template", "  password: {{ required \"db password\" .Values.db.password | b64enc }}")
    files.append(f)

    f = File(c, "files", P + "helm/values.yaml")
    f.add("replicaCount: 2", "image:", "  repository: registry.acme-corp.net/api", "db:", "  host: db.internal")
    f.decoy("empty", '  password: ""')
    f.secret("generic.config-unquoted", "  replicationPassword: " + T.password(r, 24))
    f.decoy("placeholder-word", "apiKey: CHANGE_ME")
    f.decoy("boolean", "tokenAuth: true")
    files.append(f)

    f = File(c, "files", P + ".github/workflows/deploy.yml")
    f.add("name: deploy", "on:", "  push:", "    branches: [main]", "jobs:", "  deploy:",
          "    runs-on: ubuntu-latest", "    permissions:", "      id-token: write", "    env:")
    f.decoy("ci-secret-reference", "      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}")
    f.decoy("ci-secret-reference", "      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}")
    plant(f, "docker.hub.pat", "gha", "DOCKERHUB_TOKEN")
    f.add("    steps:", "      - uses: actions/checkout@%s" % rand_hex(r, 40))
    c.decoys.append({"scope": "files", "path": f.path, "line": len(f.lines), "line_end": len(f.lines),
                     "kind": "git-sha"})
    f.add("      - uses: aws-actions/configure-aws-credentials@v4", "        with:",
          "          role-to-assume: arn:aws:iam::123456789012:role/deploy")
    f.add("      - run: ./deploy.sh", "        env:")
    f.decoy("ci-secret-reference", "          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}")
    plant(f, "pulumi.access-token", "gha")
    files.append(f)

    f = File(c, "files", P + ".gitlab-ci.yml")
    f.add("stages: [build, deploy]", "variables:", '  DOCKER_DRIVER: overlay2')
    f.decoy("ci-variable-reference", '  REGISTRY_PASSWORD: "$CI_REGISTRY_PASSWORD"')
    plant(f, "gitlab.pat", "gha", "GITLAB_API_TOKEN")
    f.add("build:", "  stage: build", "  script:")
    f.decoy("ci-variable-reference", '    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY')
    f.secret("gitlab.pipeline-trigger-token",
             "    - curl -X POST -F token=%s -F ref=main https://gitlab.acme-corp.net/api/v4/projects/42/trigger/pipeline"
             % c.tok("gitlab.pipeline-trigger-token"))
    f.add("deploy:", "  stage: deploy", "  script:", "    - ./deploy.sh")
    files.append(f)

    f = File(c, "files", P + "gitlab-runner/config.toml")
    f.add("concurrent = 4", "[[runners]]", '  name = "shared"', '  url = "https://gitlab.acme-corp.net"')
    f.secret("gitlab.runner-token", '  token = "%s"' % c.tok("gitlab.runner-token"))
    f.add('  executor = "docker"')
    files.append(f)

    f = File(c, "files", P + "ansible/group_vars/all.yml")
    f.add("---", "app_user: deploy")
    f.decoy("jinja-template", 'app_db_password: "{{ vault_app_db_password }}"')
    f.decoy("ansible-lookup", "api_token: \"{{ lookup('env', 'API_TOKEN') }}\"")
    f.decoy("ansible-vault", "smtp_password: !vault |")
    f.add("  $ANSIBLE_VAULT;1.1;AES256")
    for _ in range(3):
        f.add("  " + rand_hex(r, 80))
    plant(f, "newrelic.user-api-key", "yaml", "NEWRELIC_API_KEY")
    plant(f, "grafana.service-account-token", "yaml")
    plant(f, "dynatrace.api-token", "yaml")
    files.append(f)

    f = File(c, "files", P + "docs/runbook.md")
    f.add("# Runbook", "", "## Rotating the Azure storage key", "", "The old connection string was:", "", "```")
    f.secret("azure.storage.account-key", "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=%s==;EndpointSuffix=core.windows.net"
             % T.rs(r, 86, T.B64))
    c.kinds.add("azure.storage.account-key")
    f.add("```", "", "Use the Key Vault reference instead:", "")
    f.decoy("placeholder-angle", "    AccountKey=<from Key Vault>")
    f.add("", "Service principal for the nightly job:", "")
    plant(f, "azure.entra.client-secret", "env")
    f.add("", "Never paste tokens like `ghp_` followed by 36 characters here; use `$GITHUB_TOKEN`.")
    f.decoy("checksum-invalid", "Bad example with a broken checksum: ghp_%s" % T.rs(r, 36))
    f.decoy("public-key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%s ops@bastion" % T.rs(r, 43, T.B64))
    files.append(f)
    return files


# ---- project 4: ingest (Go) ---------------------------------------------------------------------

def project_ingest(c, out):
    r = c.rng
    files = []
    P = "ingest/"

    f = File(c, "files", P + "cmd/ingest/main.go")
    f.add("package main", "", "import (", '\t"os"', '\t"log"', ")", "", "const (")
    plant(f, "slack.app-token", "go")
    plant(f, "databricks.pat", "go")
    f.decoy("git-sha", '\tgitCommit = "%s"' % rand_hex(r, 40))
    f.add(")", "", "func main() {")
    f.decoy("env-lookup", '\ttoken := os.Getenv("INGEST_API_TOKEN")')
    f.decoy("placeholder-word", '\tpassword := "hunter2"')
    f.secret("connection-string.database-uri",
             '\tdsn := "mongodb+srv://ingest:%s@cluster0.ab12c.mongodb.net/events?retryWrites=true"' % T.password(r))
    f.add('\tlog.Println("starting", token, dsn)', "}")
    files.append(f)

    f = File(c, "files", P + "internal/clients/ai.go")
    f.add("package clients", "", "var (")
    plant(f, "groq.api-key", "go")
    plant(f, "replicate.api-token", "go")
    plant(f, "xai.api-key", "go")
    plant(f, "langsmith.api-key", "go")
    f.decoy("uuid-non-secret", '\trequestNamespace = "%s"' % T.uuid4(r))
    f.add(")")
    files.append(f)

    f = File(c, "files", P + "config/config.yaml")
    f.add("server:", "  port: 8080", "kafka:", "  brokers: [kafka-0:9092]", "  sasl:", "    username: ingest")
    f.secret("generic.config-unquoted", "    password: " + T.password(r, 22))
    f.add("redis:")
    f.secret("connection-string.database-uri", "  url: rediss://default:%s@cache.acme-corp.net:6380/0" % T.password(r))
    f.decoy("env-reference", "  token: ${REDIS_TOKEN}")
    f.decoy("null-value", "  api_key: null")
    f.decoy("header-name", "  auth_token_header: X-Acme-Auth-Token")
    f.decoy("k8s-secret-name", "  secretName: ingest-kafka-credentials")
    plant(f, "twilio.api-key", "yaml", "TWILIO_API_KEY_SID")
    files.append(f)

    f = File(c, "files", P + "go.sum")
    for mod, ver in [("github.com/segmentio/kafka-go", "v0.4.47"), ("github.com/redis/go-redis/v9", "v9.5.1"),
                     ("golang.org/x/net", "v0.21.0")]:
        h1 = base64.b64encode(bytes(r.getrandbits(8) for _ in range(32))).decode()
        f.decoy("lockfile-hash", "%s %s h1:%s" % (mod, ver, h1))
        f.add("%s %s/go.mod h1:%s" % (mod, ver, base64.b64encode(bytes(r.getrandbits(8) for _ in range(32))).decode()))
    files.append(f)

    f = File(c, "files", P + "Dockerfile")
    f.add("FROM golang:1.22 AS build", "WORKDIR /src", "COPY . .")
    f.decoy("docker-arg-reference", "ARG GOPROXY_TOKEN")
    plant(f, "jfrog.api-key", "docker", "ARTIFACTORY_API_KEY")
    f.add("RUN go build -o /ingest ./cmd/ingest", "FROM gcr.io/distroless/static", "COPY --from=build /ingest /")
    files.append(f)
    return files


# ---- project 5: billing-service (Java) ----------------------------------------------------------

def project_billing(c, out):
    r = c.rng
    files = []
    P = "billing-service/"

    f = File(c, "files", P + "src/main/resources/application.properties")
    f.add("spring.application.name=billing", "server.port=8081")
    f.secret("connection-string.jdbc-password",
             "spring.datasource.url=jdbc:sqlserver://sql.internal:1433;databaseName=billing;user=billing;password=%s;encrypt=true"
             % T.password(r, 18))
    f.decoy("env-reference", "spring.datasource.password=${DB_PASSWORD}")
    plant(f, "square.access-token", "props", "SQUARE_ACCESS_TOKEN")
    f.decoy("placeholder-word", "mail.smtp.password=changeit")
    files.append(f)

    f = File(c, "files", P + "src/main/resources/application-prod.yml")
    f.add("spring:", "  rabbitmq:", "    host: mq.internal")
    f.secret("connection-string.database-uri", "  addresses: amqps://billing:%s@mq.internal:5671/prod" % T.password(r))
    f.add("paypal:")
    f.decoy("env-reference", "  client-secret: ${PAYPAL_CLIENT_SECRET}")
    f.add("hubspot:")
    plant(f, "hubspot.private-app-token", "yaml", "HUBSPOT_TOKEN")
    files.append(f)

    f = File(c, "files", P + "src/main/java/net/acmecorp/billing/Config.java")
    f.add("package net.acmecorp.billing;", "", "public final class Config {")
    plant(f, "shopify.access-token", "java")
    plant(f, "mailgun.api-key", "java")
    plant(f, "postman.api-key", "java")
    f.decoy("env-lookup", '    private static final String DB_PASSWORD = System.getenv("DB_PASSWORD");')
    f.decoy("placeholder-word", '    private static final String DEFAULT_PASSWORD = "password123";')
    f.decoy("hash-non-secret", '    private static final String SCHEMA_CHECKSUM = "%s";' % rand_hex(r, 40))
    f.decoy("constant-name", '    private static final String TOKEN_HEADER = "X_AUTH_TOKEN_HEADER";')
    f.add("    private Config() {}", "}")
    files.append(f)

    f = File(c, "files", P + "settings.xml")
    f.add("<settings>", "  <servers>", "    <server>", "      <id>releases</id>", "      <username>ci</username>")
    f.secret("generic.xml-credential", "      <password>%s</password>" % T.password(r, 20))
    f.add("    </server>", "    <server>", "      <id>snapshots</id>")
    f.decoy("env-reference", "      <password>${env.MAVEN_PASSWORD}</password>")
    f.add("    </server>", "  </servers>", "</settings>")
    files.append(f)

    f = File(c, "files", P + "pom.xml")
    f.add("<project>", "  <modelVersion>4.0.0</modelVersion>", "  <groupId>net.acmecorp</groupId>",
          "  <artifactId>billing</artifactId>", "  <properties>")
    f.decoy("maven-property", "    <sonar.token>${env.SONAR_TOKEN}</sonar.token>")
    f.add("  </properties>", "</project>")
    files.append(f)

    f = File(c, "files", P + "src/test/resources/keys/signing.pem")
    ec = T.pem(r, "EC PRIVATE KEY", 121)
    f.secret("private-key.ec", "\n".join(ec))
    files.append(f)

    f = File(c, "files", P + "src/main/resources/public.pem")
    f.decoy("public-key", "\n".join(T.pem(r, "PUBLIC KEY", 294)))
    f.decoy("certificate", "\n".join(T.pem(r, "CERTIFICATE", 800)))
    files.append(f)
    return files


# ---- project 6: ops (Ruby, shell, dotfiles) -----------------------------------------------------

def project_ops(c, out):
    r = c.rng
    files = []
    P = "ops/"

    f = File(c, "files", P + "deploy/deploy.rb")
    f.add("require 'net/http'", "")
    plant(f, "rubygems.api-key", "rb")
    plant(f, "heroku.api-key", "rb")
    f.decoy("env-lookup", "token = ENV.fetch('DEPLOY_TOKEN')")
    f.decoy("string-interpolation", 'auth = "Bearer #{token}"')
    plant(f, "circleci.personal-token", "rb")
    plant(f, "buildkite.api-token", "rb")
    f.add("puts 'deploying'")
    files.append(f)

    f = File(c, "files", P + "config/secrets.yml")
    f.add("production:")
    f.secret("config.rails-secret-key-base", "  secret_key_base: " + rand_hex(r, 128))
    f.decoy("erb-template", "  stripe_key: <%= ENV['STRIPE_KEY'] %>")
    files.append(f)

    f = File(c, "files", P + "Gemfile.lock")
    f.add("GEM", "  remote: https://rubygems.org/", "  specs:", "    rack (3.0.9)", "", "CHECKSUMS")
    f.decoy("lockfile-hash", "  rack (3.0.9) sha256=%s" % rand_hex(r, 64))
    files.append(f)

    f = File(c, "files", P + "scripts/backup.sh")
    f.add("#!/bin/sh", "set -eu")
    plant(f, "aws.session-token", "sh")
    plant(f, "supabase.access-token", "sh")
    f.decoy("shell-command-substitution", 'export PGPASSWORD="$(vault kv get -field=password secret/db)"')
    f.decoy("env-reference", 'export API_TOKEN="$BACKUP_API_TOKEN"')
    f.decoy("path-value", "export TOKEN_CACHE_DIR=/var/cache/acme/tokens")
    f.decoy("secret-manager-name", "export SECRET_KEY_NAME=backup-signing-secret-key")
    f.secret("generic.jwt", 'curl -H "Authorization: Bearer %s" https://api.acme-corp.net/backup' % T.jwt(r))
    c.kinds.add("generic.jwt")
    f.secret("connection-string.basic-auth-url",
             'curl -fsS https://backup:%s@artifacts.acme-corp.net/upload -T dump.sql.gz' % T.password(r, 18))
    files.append(f)

    f = File(c, "files", P + "home/.netrc")
    f.secret("config.netrc-password", "machine api.acme-corp.net login deploy password %s" % T.password(r, 24))
    f.decoy("netrc-placeholder", "machine example.com login me password <password>")
    files.append(f)

    f = File(c, "files", P + "home/.git-credentials")
    f.secret("connection-string.basic-auth-url", "https://ops-bot:%s@git.acme-corp.net" % T.password(r, 22))
    files.append(f)

    f = File(c, "files", P + "home/.pypirc")
    f.add("[distutils]", "index-servers =", "    pypi", "    internal", "", "[pypi]", "username = __token__")
    f.secret("pypi.api-token", "password = " + c.tok("pypi.api-token"))
    f.add("", "[internal]", "repository = https://pkgs.acme-corp.net/simple", "username = ci")
    f.secret("config.pypirc-password", "password = " + T.password(r, 24))
    files.append(f)

    dc = JsonFile(c, "files", P + "home/.docker/config.json")
    auth = base64.b64encode(("ci:" + T.password(r, 24)).encode()).decode()
    dc.body = json.dumps({"auths": {"registry.acme-corp.net": {"auth": auth}},
                          "credsStore": "desktop"}, indent=1)
    dc.secret("docker.config-auth", auth)
    files.append(dc)

    f = File(c, "files", P + "nginx/.htpasswd")
    f.secret("config.htpasswd-hash", "admin:" + T.apr1(r))
    files.append(f)

    f = File(c, "files", P + "home/.ssh/id_ed25519")
    f.secret("private-key.openssh", "\n".join(T.openssh_key(r)))
    files.append(f)

    f = File(c, "files", P + "keys/release-signing.asc")
    f.secret("private-key.pgp", "\n".join(T.pgp_key(r)))
    files.append(f)

    f = File(c, "files", P + "keys/legacy.key")
    f.secret("private-key.pkcs8-encrypted", "\n".join(T.pem(r, "ENCRYPTED PRIVATE KEY", 1300)))
    files.append(f)

    f = File(c, "files", P + "sops/age.txt")
    f.add("# created: 2024-03-01T10:00:00Z", "# public key: age1%s" % T.rs(r, 58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"))
    f.secret("age.secret-key", c.tok("age.secret-key"))
    files.append(f)

    f = File(c, "files", P + "docs/integrations.md")
    f.add("# Integrations", "", "| service | variable | value |", "|---|---|---|")
    for rule in ["linear.api-key", "notion.integration-token", "doppler.service-token", "discord.webhook",
                 "perplexity.api-key", "atlassian.api-token", "netlify.pat", "nuget.api-key",
                 "planetscale.service-token", "1password.service-account-token", "airtable.pat",
                 "bitbucket.app-password", "alibaba.access-key-id", "sonarqube.user-token",
                 "github.pat.fine-grained", "gitlab.deploy-token", "slack.user-token", "google.oauth-client-secret",
                 "mailchimp.api-key", "pinecone.api-key", "sentry.org-token", "shopify.shared-secret"]:
        f.secret(rule, "| %s | `%s` | `%s` |" % (rule.split(".")[0], T.var(rule), c.tok(rule)))
    f.add("", "Documented examples (never real):", "")
    f.decoy("aws-documented-example", "- `aws_access_key_id = %s`" % AWS_DOC_KEY_ID)
    f.decoy("aws-documented-example", "- `aws_secret_access_key = %s`" % AWS_DOC_SECRET)
    f.decoy("mask-x", "- `GITHUB_TOKEN=ghp_%s`" % ("x" * 36))
    f.decoy("placeholder-angle", "- `SLACK_BOT_TOKEN=xoxb-<workspace>-<bot>-<secret>`")
    f.decoy("redacted", "- `NOTION_TOKEN=ntn_REDACTED`")
    files.append(f)

    f = File(c, "files", P + "config/services.ini")
    f.add("[okta]", "org_url = https://acme.okta.com")
    plant(f, "okta.api-token", "env", "okta_api_token")
    f.add("", "[azure_devops]")
    plant(f, "azure.devops.pat", "env", "azure_devops_pat")
    f.add("", "[heroku]")
    plant(f, "heroku.api-key.legacy", "env", "heroku_api_key")
    f.add("", "[snyk]")
    plant(f, "snyk.api-token", "env", "snyk_token")
    f.add("", "[google]")
    plant(f, "google.oauth-refresh-token", "env", "refresh_token")
    plant(f, "google.oauth-access-token", "env", "access_token")
    f.add("", "[smtp]")
    f.decoy("placeholder-percent", "password = %(SMTP_PASSWORD)s")
    f.decoy("none-value", "secret = none")
    files.append(f)

    f = File(c, "files", P + "puppet/hieradata/common.yaml")
    f.add("---", "profile::db::user: app")
    f.decoy("puppet-interpolation", "profile::db::password: \"%{hiera('mysql_password')}\"")
    f.decoy("secret-manager-reference", "profile::api::token: vault:secret/data/api#token")
    files.append(f)

    f = File(c, "files", P + ".env.vault")
    f.decoy("secret-manager-reference", "DB_PASSWORD=vault:secret/data/db#password")
    f.decoy("secret-manager-reference", "API_TOKEN=ref+awssecrets://prod/api#/token")
    files.append(f)
    return files


# ---- project 7: legacy-portal (.NET, kubeconfig, shell, ML config, docs) -------------------------

def project_portal(c, out):
    r = c.rng
    files = []
    P = "legacy-portal/"

    f = File(c, "files", P + "Portal/Web.config")
    f.add('<?xml version="1.0" encoding="utf-8"?>', "<configuration>", "  <connectionStrings>")
    f.secret("connection-string.ado-net-password",
             '    <add name="Default" connectionString="Server=tcp:sql.acme-corp.net,1433;Database=portal;'
             'User ID=portal;Password=%s;Encrypt=True;" />' % T.password(r, 20))
    f.decoy("managed-identity", '    <add name="Reports" connectionString="Server=tcp:sql.acme-corp.net;'
            'Database=reports;Authentication=Active Directory Managed Identity;" />')
    f.add("  </connectionStrings>", "  <appSettings>")
    f.secret("generic.dotnet-appsetting", '    <add key="PaymentsApiKey" value="%s" />' % T.rs(r, 32))
    f.decoy("numeric-setting", '    <add key="TokenLifetimeSeconds" value="3600" />')
    f.decoy("config-token-reference", '    <add key="SmtpPassword" value="#{SmtpPassword}#" />')
    f.add("  </appSettings>", "</configuration>")
    files.append(f)

    f = File(c, "files", P + "Portal/Portal.csproj")
    f.add('<Project Sdk="Microsoft.NET.Sdk.Web">', "  <PropertyGroup>")
    f.decoy("uuid-non-secret", "    <ProjectGuid>{%s}</ProjectGuid>" % T.uuid4(r).upper())
    f.decoy("uuid-non-secret", "    <UserSecretsId>%s</UserSecretsId>" % T.uuid4(r))
    f.add("  </PropertyGroup>", "</Project>")
    files.append(f)

    f = File(c, "files", P + "deploy/kubeconfig.yaml")
    ca = base64.b64encode(("\n".join(T.pem(r, "CERTIFICATE", 800)) + "\n").encode()).decode()
    key = base64.b64encode(("\n".join(T.pem(r, "RSA PRIVATE KEY", 1190)) + "\n").encode()).decode()
    f.add("apiVersion: v1", "kind: Config", "clusters:", "- cluster:")
    f.decoy("base64-certificate", "    certificate-authority-data: " + ca)
    f.add("    server: https://k8s.acme-corp.net:6443", "  name: prod", "users:", "- name: admin", "  user:")
    f.decoy("base64-certificate", "    client-certificate-data: " + ca[::-1][:0] + base64.b64encode(
        ("\n".join(T.pem(r, "CERTIFICATE", 700)) + "\n").encode()).decode())
    f.secret("private-key.base64-pem", "    client-key-data: " + key)
    f.add("- name: ci", "  user:")
    f.secret("generic.config-unquoted", "    token: " + T.rs(r, 40))
    f.add("- name: dev", "  user:", "    exec:", "      command: kubelogin")
    files.append(f)

    f = File(c, "files", P + "scripts/release.sh")
    f.add("#!/bin/sh", "set -eu")
    f.secret("generic.cli-password", "docker login -u portal-ci -p %s registry.acme-corp.net" % T.password(r, 20))
    f.decoy("cli-stdin", 'echo "$REGISTRY_TOKEN" | docker login --password-stdin -u ci ghcr.io')
    f.secret("generic.cli-password", "curl -fsS -u release:%s https://nexus.acme-corp.net/service/rest/v1/status"
             % T.password(r, 18))
    f.decoy("env-reference", 'curl -fsS -u "$NEXUS_USER:$NEXUS_PASSWORD" https://nexus.acme-corp.net/')
    f.secret("generic.basic-auth-header", 'curl -H "Authorization: Basic %s" https://jira.acme-corp.net/rest/api/2/myself'
             % base64.b64encode(("release-bot:" + T.password(r, 20)).encode()).decode())
    f.secret("generic.bearer-header", 'curl -H "Authorization: Bearer %s" https://api.acme-corp.net/v2/releases'
             % T.rs(r, 48, T.A62 + "-_"))
    f.decoy("env-reference", 'curl -H "Authorization: Bearer $RELEASE_TOKEN" https://api.acme-corp.net/v2/releases')
    f.decoy("cli-prompt", "mysql -h db.internal -u portal -p portal")
    f.secret("generic.cli-password", "mysqldump -h db.internal -u backup -p%s portal > portal.sql" % T.rs(r, 18))
    files.append(f)

    f = File(c, "files", P + ".env")
    f.secret("generic.env-assignment", "DB_PASS=%s" % T.rs(r, 22))
    f.secret("generic.env-assignment", "MYSQL_PWD=%s#%s" % (T.rs(r, 8), T.rs(r, 10)))
    pk = T.pem(r, "PRIVATE KEY", 1218)
    f.secret("private-key.pkcs8", 'JWT_SIGNING_KEY="%s\\n"' % "\\n".join(pk))
    f.decoy("public-prefix", "SENTRY_DSN=https://%s@o4504.ingest.sentry.io/4505" % rand_hex(r, 32))
    f.decoy("boolean", "BYPASS_CACHE=true")
    files.append(f)

    f = File(c, "files", P + "home/.aws/credentials")
    f.add("[default]")
    plant(f, "aws.access-key-id", "toml", "aws_access_key_id")
    aws_sec = c.tok("aws.secret-access-key")
    f.secret("aws.secret-access-key", "aws_secret_access_key = " + aws_sec)
    f.add("", "[readonly]")
    f.decoy("aws-documented-example", "aws_access_key_id = " + AWS_DOC_KEY_ID)
    f.decoy("aws-documented-example", "aws_secret_access_key = " + AWS_DOC_SECRET)
    files.append(f)

    f = File(c, "files", P + "ml/train.yaml")
    f.add("model: acme-summarizer")
    f.decoy("identifier-value", "tokenizer: sentencepiece-unigram-v2")
    f.decoy("numeric-setting", "max_tokens: 4096")
    f.decoy("identifier-value", "pad_token: <|endoftext|>")
    f.decoy("url-value", "token_url: https://login.acme-corp.net/oauth2/token")
    files.append(f)

    f = File(c, "files", P + "web/src/i18n/en.json")
    f.add("{")
    f.decoy("ui-string", '  "password": "Password",')
    f.decoy("ui-string", '  "forgot_password": "Forgot your password?",')
    f.decoy("ui-string", '  "password_hint": "At least 12 characters",')
    f.decoy("regex", '  "PASSWORD_REGEX": "^(?=.*[A-Z])(?=.*\\\\d).{12,}$",')
    f.add('  "ok": "OK"', "}")
    files.append(f)

    f = File(c, "files", P + "web/src/login.html")
    f.decoy("html-form", '<input type="password" name="password" autocomplete="current-password" placeholder="Password">')
    f.decoy("html-form", '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">')
    files.append(f)

    f = File(c, "files", P + "api/openapi.yaml")
    f.add("components:", "  securitySchemes:", "    api_key:", "      type: apiKey")
    f.decoy("header-name", "      name: X-Api-Key")
    f.add("      in: header", "    bearerAuth:", "      type: http", "      scheme: bearer")
    f.decoy("example-value", "      x-example-token: example-token-value-1234567890")
    files.append(f)

    f = File(c, "files", P + "Cargo.lock")
    f.add("[[package]]", 'name = "serde"', 'version = "1.0.197"',
          'source = "registry+https://github.com/rust-lang/crates.io-index"')
    f.decoy("lockfile-hash", 'checksum = "%s"' % rand_hex(r, 64))
    files.append(f)

    f = File(c, "files", P + "poetry.lock")
    f.add("[[package]]", 'name = "requests"', 'version = "2.31.0"', "files = [")
    f.decoy("lockfile-hash", '    {file = "requests-2.31.0-py3-none-any.whl", hash = "sha256:%s"},' % rand_hex(r, 64))
    f.add("]")
    files.append(f)

    f = File(c, "files", P + "CHANGELOG.md")
    f.add("# Changelog", "", "## 2.4.0")
    f.decoy("git-sha", "- fix token refresh race ([%s](https://git.acme-corp.net/portal/commit/%s))"
            % (rand_hex(r, 7), rand_hex(r, 40)))
    f.decoy("ssh-url", "- mirror moved to ssh://git@git.acme-corp.net:2222/portal/portal.git")
    files.append(f)
    return files


# ---- project 8: sensor-firmware (C/C++, with Go and JS tools): keys written as source code ------

def quoted_pem(lines, first, indent, q, join):
    """A PEM block as one quoted string per line with escaped line breaks: `first` opens it, join is
    what follows each string ("" for adjacent literals in C/Python, " +" for Go/Java/JS)."""
    out = ["%s%s%s\\n%s%s" % (first, q, lines[0], q, join)]
    out += ["%s%s%s\\n%s%s" % (indent, q, ln, q, join) for ln in lines[1:-1]]
    out.append("%s%s%s\\n%s" % (indent, q, lines[-1], q))
    return out


def project_firmware(c, out):
    """Its own generator (seeded from the corpus seed), so adding it left the other projects' bytes
    as they were."""
    r = random.Random("sensor-firmware:%d" % c.seed)
    files = []
    P = "sensor-firmware/"

    def tok(rule):
        c.kinds.add(rule)
        return T.gen(r, rule)

    f = File(c, "files", P + "include/cloud_config.h")
    f.add("#ifndef CLOUD_CONFIG_H", "#define CLOUD_CONFIG_H", "", "/* uplink to the telemetry bucket */",
          '#define AWS_REGION "eu-central-1"')
    f.secret("aws.access-key-id", '#define AWS_ACCESS_KEY_ID "%s"' % tok("aws.access-key-id"))
    f.secret("aws.secret-access-key", '#define AWS_SECRET_ACCESS_KEY "%s"' % tok("aws.secret-access-key"))
    f.decoy("constant-name", '#define AWS_SECRET_ACCESS_KEY_ENV "AWS_SECRET_ACCESS_KEY"')
    f.decoy("aws-documented-example", '#define AWS_SECRET_ACCESS_KEY_DOC "%s"' % AWS_DOC_SECRET)
    f.add('#define TELEMETRY_BUCKET "acme-sensor-uplink"', "", "#endif")
    files.append(f)

    f = File(c, "files", P + "src/uplink.c")
    f.add('#include <stdlib.h>', '#include "cloud_config.h"', "", "static void creds_from_env(void)", "{")
    f.decoy("env-lookup", '    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");')
    f.add("    if (secret != NULL)", "        return;")
    f.secret("aws.secret-access-key",
             '    setenv("AWS_SECRET_ACCESS_KEY", "%s", 1);' % tok("aws.secret-access-key"))
    f.add("}", "")
    key = T.pem(r, "RSA PRIVATE KEY", 1190)
    f.secret("private-key.rsa", "\n".join(quoted_pem(key, "static const char device_key_pem[] = ", "    ",
                                                     '"', "")) + ";")
    f.add("")
    cert = T.pem(r, "CERTIFICATE", 800)
    first = len(f.lines) + 1
    f.add(*quoted_pem(cert, "static const char device_cert_pem[] = ", "    ", '"', ""))
    f.lines[-1] += ";"
    c.decoys.append({"scope": "files", "path": f.path, "line": first, "line_end": len(f.lines),
                     "kind": "certificate"})
    f.add("")
    f.decoy("placeholder-body", "\n".join(quoted_pem(["-----BEGIN PRIVATE KEY-----", "...",
                                                      "-----END PRIVATE KEY-----"],
                                                     "static const char example_pem[] = ", "    ", '"', ""))
            + ";")
    files.append(f)

    f = File(c, "files", P + "tools/provision/keys.go")
    f.add("package provision", "", "// signingKey signs device enrolment requests.")
    key = T.pem(r, "PRIVATE KEY", 1218)
    f.secret("private-key.pkcs8", "\n".join(quoted_pem(key, "const signingKey = ", "\t", '"', " +")))
    f.add("", "func Key() string { return signingKey }")
    files.append(f)

    f = File(c, "files", P + "tools/flash/key.js")
    f.add("// key used by the flashing tool to unlock the bootloader", "")
    key = T.pem(r, "EC PRIVATE KEY", 121)
    f.secret("private-key.ec", "\n".join(quoted_pem(key, "const bootKey = ", "  ", "'", " +")) + ";")
    f.add("", "module.exports = { bootKey };")
    files.append(f)

    f = File(c, "files", P + "tools/flash/ssh_key.py")
    f.add('"""Deploy key for the build farm."""', "")
    key = T.openssh_key(r)
    f.secret("private-key.openssh", "\n".join(["DEPLOY_KEY = ("] + quoted_pem(key, "    ", "    ", '"', "")
                                              + [")"]), at=1)
    files.append(f)

    f = File(c, "files", P + "tools/flash/keys.ts")
    f.add("// the same key as an array of lines, joined at run time")
    key = T.pem(r, "PRIVATE KEY", 1218)
    f.secret("private-key.pkcs8", "\n".join(["export const keyLines = ["] +
                                             ['  "%s",' % ln for ln in key[:-1]] + ['  "%s"' % key[-1], "];"]),
             at=1)
    f.add('export const key = keyLines.join("\\n");')
    files.append(f)

    f = File(c, "files", P + ".env")
    f.add("# bench setup")
    f.secret("generic.env-assignment", "FLASH_TOOL_SECRET=%s" % T.rs(r, 40, T.B64URL[:-1]))
    f.add("BAUD_RATE=115200")
    files.append(f)
    return files


# ---- the git history ----------------------------------------------------------------------------

def git(repo, *args, env=None):
    subprocess.run(["git", "-C", repo] + list(args), check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def build_history(c, out):
    """Secrets only in deleted files, in superseded versions and on an unmerged branch."""
    r = c.rng
    repo = os.path.join(out, "repo")
    os.makedirs(repo)
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("GIT_"):
            del env[k]
    env.update({"GIT_AUTHOR_NAME": "Dev One", "GIT_AUTHOR_EMAIL": "dev1@acme-corp.net",
                "GIT_COMMITTER_NAME": "Dev One", "GIT_COMMITTER_EMAIL": "dev1@acme-corp.net",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "HOME": out})
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    tick = [1_700_000_000]

    def commit(msg):
        tick[0] += 3600
        e = dict(env, GIT_AUTHOR_DATE="@%d +0000" % tick[0], GIT_COMMITTER_DATE="@%d +0000" % tick[0])
        git(repo, "add", "-A", env=e)
        git(repo, "commit", "-q", "-m", msg, env=e)

    def put(f):
        write(repo, f.path, f.text())

    def rm(path):
        os.remove(os.path.join(repo, path))

    # 1. initial import: clean code with decoys, and a settings file with real credentials
    app = File(c, "git", "service/app.py")
    app.add("import os", "", "def handler(event):")
    app.decoy("env-lookup", '    token = os.environ["SERVICE_TOKEN"]')
    app.add("    return token")
    put(app)
    readme = File(c, "git", "README.md")
    readme.add("# legacy-service", "", "Configure with environment variables:", "")
    readme.decoy("placeholder-angle", "    export SERVICE_TOKEN=<token>")
    readme.decoy("aws-documented-example", "    export AWS_ACCESS_KEY_ID=" + AWS_DOC_KEY_ID)
    put(readme)
    settings = File(c, "git", "config/settings.env")
    plant(settings, "github.oauth", "env")
    plant(settings, "stripe.secret-key.live", "env")
    settings.secret("generic.env-assignment", "INTERNAL_API_SECRET=%s" % T.rs(r, 36))
    put(settings)
    commit("initial import")

    # 2. the settings file is deleted and replaced with an example: the secrets live on in history
    rm("config/settings.env")
    ex = File(c, "git", "config/settings.env.example")
    ex.decoy("placeholder-angle", "GH_OAUTH_TOKEN=<github oauth token>")
    ex.decoy("mask-x", "STRIPE_SECRET_KEY=sk_live_" + "x" * 30)
    ex.decoy("placeholder-word", "INTERNAL_API_SECRET=changeme")
    put(ex)
    commit("move settings to the environment")

    # 3. a deploy key committed by mistake, then deleted
    key = File(c, "git", "deploy/id_rsa")
    key.secret("private-key.rsa", "\n".join(T.pem(r, "RSA PRIVATE KEY", 1190)))
    put(key)
    commit("add deploy key")
    rm("deploy/id_rsa")
    commit("remove deploy key")

    # 4. a hard-coded token in a file that still exists, fixed in the next commit
    app2 = File(c, "git", "service/app.py")
    app2.add("import os", "", "def handler(event):")
    plant(app2, "gitlab.runner-registration-token", "py", "REGISTRATION_TOKEN")
    plant(app2, "sendgrid.api-key", "py")
    app2.add("    return token")
    put(app2)
    commit("quick fix for the demo")
    put(app)  # back to the environment lookup (same blob as commit 1)
    commit("read the token from the environment")

    # 5. an unmerged branch with more credentials
    git(repo, "checkout", "-q", "-b", "feature/payments-experiment", env=env)
    exp = File(c, "git", "scripts/experiment.py")
    exp.add("import requests", "")
    plant(exp, "github.app.installation", "py")
    plant(exp, "github.app.refresh", "py")
    plant(exp, "github.app.user-to-server", "py")
    plant(exp, "slack.bot-token", "py")
    exp.decoy("env-lookup", 'webhook = os.environ.get("SLACK_WEBHOOK_URL")')
    put(exp)
    commit("experiment with the payments API")
    git(repo, "checkout", "-q", "main", env=env)

    # 6. more ordinary history on main
    notes = File(c, "git", "docs/notes.md")
    notes.add("# Notes", "")
    notes.decoy("git-sha", "Reverted in %s." % rand_hex(r, 40))
    notes.decoy("ci-secret-reference", "The workflow reads `${{ secrets.DEPLOY_TOKEN }}`.")
    put(notes)
    commit("notes")
    return repo


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    out = os.path.abspath(args.outdir)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    c = Corpus(args.seed)
    files_root = os.path.join(out, "files")
    seen = set()

    def emit(files):
        for f in files:
            if f.path in seen:
                raise SystemExit("gen_corpus: %s written twice" % f.path)
            seen.add(f.path)
            write(files_root, f.path, f.text())

    for project in (project_payments, project_frontend, project_infra, project_ingest, project_billing,
                    project_ops, project_portal):
        emit(project(c, out))
    build_history(c, out)
    # after the history: its own generator leaves every other byte of the corpus as it was
    emit(project_firmware(c, out))

    truth = {"seed": args.seed, "kinds": sorted(c.kinds), "secrets": c.secrets, "decoys": c.decoys}
    with open(os.path.join(out, "truth.json"), "w") as fh:
        json.dump(truth, fh, indent=1)
    print("gen_corpus: %d secrets of %d kinds, %d decoys -> %s"
          % (len(c.secrets), len(c.kinds), len(c.decoys), out))


if __name__ == "__main__":
    main()
