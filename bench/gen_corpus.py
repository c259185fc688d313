#!/usr/bin/env python3
"""gen_corpus.py - a deterministic synthetic corpus of source text with planted secrets.

The corpus is what a secret scanner meets in real repositories: C, Python, JavaScript (plain and
minified), Go, YAML, JSON (configs and lockfiles), .env, Markdown, Terraform and shell, with the
things that make secret scanning hard -- identifiers such as `token` and `secret_key`, UUIDs, hex
hashes, URLs, base64 blobs and lockfile integrity lines -- and a known number of planted secrets of
a few well-known kinds. Every planted secret is listed in a manifest (planted.jsonl: path, line,
kind), so a driver can check recall as well as speed.

Invariants:
- Same --seed and --size give byte-identical output (one random.Random, no time, no dict-order
  dependence, no hash randomisation).
- Nothing here is a real credential: every token is assembled at run time from the seeded RNG.
  GitHub classic tokens carry a VALID checksum (CRC32 of the 30-char body, base62 0-9A-Za-z,
  6 chars, zero-padded) so checksum validators keep them.
- Planted secrets are the only intentional secrets; near-miss decoys (bad checksums, example
  placeholders) are not in the manifest.

Usage:
  gen_corpus.py --size 256 --out bench/out/corpus            # files under DIR + DIR/planted.jsonl
  gen_corpus.py --size 256 --single bench/out/corpus.txt     # one file + corpus.txt.planted.jsonl
"""

import argparse
import base64
import json
import os
import random
import sys
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM = B62
B64 = B62 + "+/"
URLSAFE = B62 + "-_"
AWS_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

WORDS = (
    "user account session token secret key password config client server request response "
    "handler buffer cache index value name path file stream reader writer parser lexer node tree "
    "list map set queue stack count size length offset limit timeout retry error status code "
    "message event listener callback promise result options settings env region bucket object "
    "table column row query schema record entry item element field attr auth login logout "
    "credential provider service api endpoint url host port address socket conn pool worker job "
    "task batch chunk block page frame header body payload data meta info debug trace log level "
    "metric counter gauge timer start stop init close open read write flush sync lock mutex "
    "thread process signal context scope state store model view controller route router "
    "middleware plugin module package build deploy release version commit branch tag hash digest "
    "sign verify encrypt decrypt cipher nonce salt seed random id uuid owner group role policy "
    "permission grant access refresh expire valid invalid enabled disabled default custom local "
    "remote public private internal external primary secondary backup restore migrate upgrade"
).split()

# Words that the credential rules' keywords and triggers meet (token, secret_key, auth, ...). The
# source profile draws them at a measured, real-code rate instead of uniformly with the rest.
SENSITIVE = set(
    "token secret key password credential auth login logout api access refresh sign verify "
    "encrypt decrypt cipher nonce salt seed hash digest private vault rotate security".split())
COMMON = [w for w in WORDS if w not in SENSITIVE]
SENSITIVE_WORDS = [w for w in WORDS if w in SENSITIVE]

# Profiles: what the text is made of. "dense" is the corpus of the first benchmarks, a stress test
# with credential words, URLs, hashes, UUIDs and base64 in nearly every other string; "source" is
# calibrated to real source text (density.py on bench/real_corpus.sh's corpora, bench/RESULTS.md):
# at least twice the densest real corpus on every measure density.py prints.
#   sensitive: probability that a word is drawn from SENSITIVE_WORDS (None: uniform over WORDS)
#   strlit:    cumulative thresholds of a string literal's kinds: sentence, URL, UUID, hex, a/b path
#              (the rest are identifiers)
#   url_lines: scale of the line kinds that carry a URL (curl in shell and Markdown, links, axios
#              calls, URL-valued .env lines)
#   assets:    probability that a JSON object carries its id/checksum/base64 blob lines (None:
#              always, drawing nothing)
PROFILES = {
    "dense": {"sensitive": None, "strlit": (0.35, 0.5, 0.6, 0.7, 0.8), "url_lines": 1.0,
              "assets": None},
    "source": {"sensitive": 0.02, "strlit": (0.45, 0.48, 0.49, 0.50, 0.70), "url_lines": 0.15,
               "assets": 0.1},
}

PROSE = (
    "the a an of to in for on with by from this that these those is are was be been has have "
    "will can should must may not and or but if when then because so we you it they our your "
    "service configuration deployment cluster database application request user team release "
    "note change update fix issue support example usage install run test build document guide "
    "section below above following new old current latest stable legacy feature behaviour "
    "performance security access token credential rotate store vault environment variable "
    "production staging development local remote server client network storage region zone"
).split()

COMMON_PROSE = [w for w in PROSE if w not in SENSITIVE]
SENSITIVE_PROSE = [w for w in PROSE if w in SENSITIVE]

TLDS = ["com", "io", "dev", "net", "org", "cloud"]
HOSTS = ["api", "cdn", "auth", "static", "registry", "hooks", "grafana", "sentry", "docs", "ci"]
COMPANIES = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]


class Gen:
    """All randomness flows through self.r so output depends only on the seed."""

    def __init__(self, seed, profile="dense"):
        self.r = random.Random(seed)
        self.p = PROFILES[profile]

    # --- atoms -----------------------------------------------------------------------------
    def maybe(self, knob):
        """True with the profile's probability `knob`; None means always (and draws nothing)."""
        p = self.p[knob]
        return True if p is None else self.r.random() < p

    def word(self):
        p = self.p["sensitive"]
        if p is None:
            return self.r.choice(WORDS)
        return self.r.choice(SENSITIVE_WORDS if self.r.random() < p else COMMON)

    def ident(self, style="snake"):
        n = self.r.randint(1, 3)
        ws = [self.word() for _ in range(n)]
        if style == "camel":
            return ws[0] + "".join(w.capitalize() for w in ws[1:])
        if style == "pascal":
            return "".join(w.capitalize() for w in ws)
        if style == "upper":
            return "_".join(w.upper() for w in ws)
        return "_".join(ws)

    def prose_word(self):
        p = self.p["sensitive"]
        if p is None:
            return self.r.choice(PROSE)
        return self.r.choice(SENSITIVE_PROSE if self.r.random() < p else COMMON_PROSE)

    def sentence(self, lo=5, hi=16):
        ws = [self.prose_word() for _ in range(self.r.randint(lo, hi))]
        s = " ".join(ws)
        return s[0].upper() + s[1:] + "."

    def chars(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def uuid(self):
        h = self.hexs(32)
        return "%s-%s-4%s-%s-%s" % (h[:8], h[8:12], h[13:16], h[16:20], h[20:32])

    def b64blob(self, nbytes):
        return base64.b64encode(self.r.randbytes(nbytes)).decode()

    def url(self):
        host = "%s.%s.%s" % (self.r.choice(HOSTS), self.r.choice(COMPANIES), self.r.choice(TLDS))
        path = "/".join(self.word() for _ in range(self.r.randint(1, 4)))
        u = "https://%s/%s" % (host, path)
        if self.r.random() < 0.3:
            u += "?%s=%s&%s=%d" % (self.word(), self.word(), self.word(), self.r.randint(1, 999))
        return u

    def semver(self):
        return "%d.%d.%d" % (self.r.randint(0, 12), self.r.randint(0, 30), self.r.randint(0, 40))

    def num(self):
        return str(self.r.choice([0, 1, 2, 8, 16, 32, 64, 100, 256, 1024, 4096, 30, 60, 3600,
                                  self.r.randint(0, 100000)]))

    def strlit(self):
        c = self.r.random()
        t = self.p["strlit"]
        if c < t[0]:
            return self.sentence(2, 8)
        if c < t[1]:
            return self.url()
        if c < t[2]:
            return self.uuid()
        if c < t[3]:
            return self.hexs(self.r.choice([32, 40, 64]))
        if c < t[4]:
            return "%s/%s" % (self.word(), self.word())
        return self.ident()

    # --- secrets -----------------------------------------------------------------------------
    def github_token(self, valid=True):
        body = self.chars(B62, 30)
        crc = zlib.crc32(body.encode()) & 0xFFFFFFFF
        if not valid:
            crc ^= 0x5A5A
        digits = []
        for _ in range(6):
            digits.append(B62[crc % 62])
            crc //= 62
        return "gh" + "p_" + body + "".join(reversed(digits))

    def aws_pair(self):
        kid = "AK" + "IA" + self.chars(AWS_ID_ALPHABET, 16)
        sec = self.chars(B64, 40)
        return kid, sec

    def slack_bot(self):
        return "xo" + "xb-%d-%d-%s" % (self.r.randint(10 ** 10, 10 ** 12),
                                        self.r.randint(10 ** 11, 10 ** 13), self.chars(ALNUM, 24))

    def stripe_live(self):
        return "sk_" + "live_" + self.chars(ALNUM, self.r.choice([24, 34, 99]))

    def google_key(self):
        return "AI" + "za" + self.chars(URLSAFE, 35)

    def pem_lines(self):
        kind = self.r.choice(["RSA PRIVATE", "PRIVATE", "EC PRIVATE", "OPENSSH PRIVATE"])
        body = self.b64blob(self.r.choice([121, 227, 1190]))
        lines = ["-----BEGIN " + kind + " KEY-----"]
        lines += [body[i:i + 64] for i in range(0, len(body), 64)]
        lines.append("-----END " + kind + " KEY-----")
        return lines

    # --- near-miss decoys (not planted, should not be reported) ------------------------------
    def decoy(self):
        c = self.r.randrange(5)
        if c == 0:
            return "AK" + "IAIOSFODNN7" + "EXAMPLE"
        if c == 1:
            return self.github_token(valid=False)
        if c == 2:
            return "sk_" + "test_" + self.chars(ALNUM, 24)
        if c == 3:
            return "xo" + "xb-your-token-here"
        return "gh" + "p_" + "x" * 36


KINDS = ["aws", "github-classic", "slack-bot", "stripe-live", "private-key", "google-api-key"]


def secret_lines(g, lang, kind):
    """Returns (lines, [(offset_in_lines, kind), ...]) for one planted secret in lang's idiom."""
    if kind == "private-key":
        pem = g.pem_lines()
        if lang in ("py",):
            return (['PRIVATE_KEY = """' + pem[0]] + pem[1:] + ['"""'], [(0, kind)])
        if lang in ("yaml",):
            return (["  private_key: |"] + ["    " + p for p in pem], [(1, kind)])
        if lang == "go":
            return (["const signingKey = `" + pem[0]] + pem[1:] + ["`"], [(0, kind)])
        if lang in ("md", "sh", "env", "tf"):
            return (["cat > id_rsa <<'EOF'"] + pem + ["EOF"], [(1, kind)])
        if lang == "c":
            return (['static const char key_pem[] = "' + pem[0] + '\\n"']
                    + ['    "' + p + '\\n"' for p in pem[1:]] + [";"], [(0, kind)])
        return (["// key:"] + ["// " + p for p in pem], [(1, kind)])
    if kind == "aws":
        kid, sec = g.aws_pair()
        forms = {
            "py": ['AWS_ACCESS_KEY_ID = "%s"' % kid, 'AWS_SECRET_ACCESS_KEY = "%s"' % sec],
            "env": ["AWS_ACCESS_KEY_ID=%s" % kid, "AWS_SECRET_ACCESS_KEY=%s" % sec],
            "sh": ["export AWS_ACCESS_KEY_ID=%s" % kid, "export AWS_SECRET_ACCESS_KEY=%s" % sec],
            "yaml": ["  aws_access_key_id: %s" % kid, "  aws_secret_access_key: %s" % sec],
            "json": ['  "aws_access_key_id": "%s",' % kid, '  "aws_secret_access_key": "%s",' % sec],
            "tf": ['  access_key = "%s"' % kid, '  secret_key = "%s"  # aws_secret_access_key' % sec],
            "go": ['\tawsAccessKeyID := "%s"' % kid, '\tawsSecretAccessKey := "%s"' % sec],
            "c": ['#define AWS_ACCESS_KEY_ID "%s"' % kid, '#define AWS_SECRET_ACCESS_KEY "%s"' % sec],
            "js": ["const awsAccessKeyId = '%s';" % kid, "const awsSecretAccessKey = '%s';" % sec],
            "md": ["    aws_access_key_id = %s" % kid, "    aws_secret_access_key = %s" % sec],
        }
        return forms[lang], [(0, "aws-access-key-id"), (1, "aws-secret-access-key")]
    tok = {"github-classic": g.github_token, "slack-bot": g.slack_bot,
           "stripe-live": g.stripe_live, "google-api-key": g.google_key}[kind]()
    name = {"github-classic": "github_token", "slack-bot": "slack_bot_token",
            "stripe-live": "stripe_api_key", "google-api-key": "google_maps_key"}[kind]
    forms = {
        "py": '%s = "%s"' % (name, tok),
        "env": "%s=%s" % (name.upper(), tok),
        "sh": 'export %s="%s"' % (name.upper(), tok),
        "yaml": "  %s: %s" % (name, tok),
        "json": '  "%s": "%s",' % (name, tok),
        "tf": '  %s = "%s"' % (name, tok),
        "go": '\t%s := "%s"' % (name, tok),
        "c": 'static const char *%s = "%s";' % (name, tok),
        "js": "const %s = '%s';" % (name, tok),
        "md": "    curl -H 'Authorization: Bearer %s' %s" % (tok, g.url()),
    }
    return [forms[lang]], [(0, kind)]


# --- per-language line generators -------------------------------------------------------------
# Each returns a list of lines about `budget` bytes long.

def gen_c(g, budget):
    L = ["/*", " * %s" % g.sentence(), " *", " * Copyright (c) 20%02d %s Inc." % (
        g.r.randint(10, 24), g.r.choice(COMPANIES).capitalize()),
        " * SPDX-License-Identifier: Apache-2.0", " */"]
    for h in g.r.sample(["stdio.h", "stdlib.h", "string.h", "stdint.h", "errno.h", "unistd.h",
                         "pthread.h", "sys/types.h", "openssl/sha.h", "curl/curl.h"], 4):
        L.append("#include <%s>" % h)
    L.append('#include "%s.h"' % g.ident())
    size = sum(len(x) for x in L)
    while size < budget:
        blk = []
        c = g.r.random()
        if c < 0.15:
            blk.append("struct %s {" % g.ident())
            for _ in range(g.r.randint(2, 8)):
                blk.append("    %s %s; /* %s */" % (g.r.choice(["int", "size_t", "uint32_t",
                           "const char *", "struct list_head", "double"]), g.ident(), g.sentence(2, 6)))
            blk.append("};")
        elif c < 0.25:
            blk.append("#define %s %s" % (g.ident("upper"), g.r.choice([
                g.num(), "0x%s" % g.hexs(8), '"%s"' % g.strlit()])))
        else:
            fn = g.ident()
            blk.append("/* %s */" % g.sentence())
            blk.append("static int %s(struct %s *%s, const char *%s, size_t len)" % (
                fn, g.ident(), g.word(), g.word()))
            blk.append("{")
            for _ in range(g.r.randint(3, 18)):
                k = g.r.random()
                v = g.ident()
                if k < 0.25:
                    blk.append("    if (%s->%s == NULL || len > %s)" % (g.word(), v, g.num()))
                    blk.append("        return -%s;" % g.r.choice(["EINVAL", "ENOMEM", "EIO"]))
                elif k < 0.45:
                    blk.append('    %s("%s: %%s (%%zu)\\n", %s, len);' % (
                        g.r.choice(["log_debug", "log_info", "fprintf_err", "trace"]), g.strlit(), v))
                elif k < 0.6:
                    blk.append("    for (size_t i = 0; i < %s; i++)" % v)
                    blk.append("        %s[i] = %s(%s, i);" % (v, g.ident(), g.word()))
                elif k < 0.75:
                    blk.append("    %s = %s(%s, %s);" % (v, g.ident(), g.word(), g.num()))
                else:
                    blk.append("    /* %s */" % g.sentence(3, 10))
            blk.append("    return 0;")
            blk.append("}")
        blk.append("")
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_py(g, budget):
    L = ['"""%s' % g.sentence(), "", g.sentence(8, 20), '"""', "import os", "import json",
         "import logging", "from typing import Any, Dict, List, Optional", "",
         "log = logging.getLogger(__name__)", ""]
    size = sum(len(x) for x in L)
    while size < budget:
        blk = []
        if g.r.random() < 0.3:
            blk.append("%s = %s" % (g.ident("upper"), g.r.choice([
                g.num(), repr(g.strlit()), "os.environ.get(%r, %r)" % (g.ident("upper"), g.word())])))
        else:
            cls = g.ident("pascal")
            blk.append("class %s:" % cls)
            blk.append('    """%s"""' % g.sentence())
            for _ in range(g.r.randint(1, 4)):
                blk.append("")
                blk.append("    def %s(self, %s: str, %s: Optional[int] = None) -> Dict[str, Any]:" % (
                    g.ident(), g.word(), g.word()))
                for _ in range(g.r.randint(2, 10)):
                    k = g.r.random()
                    if k < 0.2:
                        blk.append("        # %s" % g.sentence(3, 12))
                    elif k < 0.4:
                        blk.append('        log.info("%s %%s", %s)' % (g.sentence(2, 6), g.ident()))
                    elif k < 0.6:
                        blk.append("        %s = self.%s.get(%r, %s)" % (g.ident(), g.ident(),
                                                                         g.word(), g.num()))
                    elif k < 0.75:
                        blk.append("        if not %s:" % g.ident())
                        blk.append("            raise ValueError(f\"%s: {%s}\")" % (
                            g.sentence(2, 5), g.word()))
                    else:
                        blk.append("        %s = {%r: %r, %r: %s}" % (
                            g.ident(), g.word(), g.strlit(), g.word(), g.num()))
                blk.append("        return {%r: %s}" % (g.word(), g.ident()))
        blk.append("")
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def minified_line(g, n):
    parts = []
    size = 0
    while size < n:
        k = g.r.random()
        if k < 0.3:
            s = "function %s(%s,%s){return %s.%s(%s)}" % (
                g.chars("abcdefghijklmnopqrstuvwxyz", 1), g.chars("abcdefg", 1), g.chars("hijk", 1),
                g.chars("abcdef", 1), g.ident("camel"), g.num())
        elif k < 0.5:
            s = 'var %s="%s"' % (g.chars("abcdefghijklmnopqrstuvwxyz", 2), g.strlit())
        elif k < 0.65:
            s = "%s.prototype.%s=function(){this.%s=%s}" % (
                g.ident("pascal"), g.ident("camel"), g.ident("camel"), g.num())
        elif k < 0.8:
            s = "if(%s&&%s.%s)%s(%s)" % (g.chars("abcde", 1), g.chars("abcde", 1),
                                          g.ident("camel"), g.chars("fgh", 1), g.num())
        else:
            s = "%s:{%s:%s,%s:\"%s\"}" % (g.chars("abcdefghij", 2), g.ident("camel"), g.num(),
                                        g.ident("camel"), g.hexs(g.r.choice([8, 16, 32])))
        parts.append(s)
        size += len(s) + 1
    return ";".join(parts) + ";"


def gen_js(g, budget):
    if g.r.random() < 0.15:  # a minified bundle: few, very long lines
        L = ["/*! %s v%s | MIT */" % (g.ident(), g.semver())]
        size = len(L[0])
        while size < budget:
            ln = minified_line(g, g.r.randint(2000, 30000))
            L.append(ln)
            size += len(ln) + 1
        return L
    L = ["'use strict';", "import { %s, %s } from './%s';" % (g.ident("camel"), g.ident("camel"),
                                                                g.word()),
         "import axios from 'axios';", ""]
    size = sum(len(x) for x in L)
    while size < budget:
        blk = ["/**", " * %s" % g.sentence(), " * @param {string} %s" % g.word(), " */",
               "export async function %s(%s, opts = {}) {" % (g.ident("camel"), g.word())]
        for _ in range(g.r.randint(2, 12)):
            k = g.r.random()
            if k < 0.25 * g.p["url_lines"]:
                blk.append("  const %s = await axios.get(`%s/${%s}`, { timeout: %s });" % (
                    g.ident("camel"), g.url(), g.word(), g.num()))
            elif k < 0.45:
                blk.append("  // %s" % g.sentence(3, 10))
            elif k < 0.65:
                blk.append("  if (!%s.%s) throw new Error('%s');" % (g.word(), g.ident("camel"),
                                                                     g.sentence(2, 6)))
            else:
                blk.append("  const %s = { %s: '%s', %s: %s };" % (
                    g.ident("camel"), g.ident("camel"), g.strlit(), g.word(), g.num()))
        blk.append("  return %s;" % g.ident("camel"))
        blk.append("}")
        blk.append("")
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_go(g, budget):
    L = ["// Package %s %s" % (g.word(), g.sentence()), "package %s" % g.word(), "", "import (",
         '\t"context"', '\t"fmt"', '\t"net/http"', '\t"time"', ")", ""]
    size = sum(len(x) for x in L)
    while size < budget:
        blk = []
        if g.r.random() < 0.3:
            blk.append("type %s struct {" % g.ident("pascal"))
            for _ in range(g.r.randint(2, 7)):
                f = g.ident("pascal")
                blk.append('\t%s %s `json:"%s,omitempty"`' % (
                    f, g.r.choice(["string", "int64", "time.Duration", "[]byte", "*http.Client"]),
                    f.lower()))
            blk.append("}")
        else:
            blk.append("// %s %s" % (g.ident("pascal"), g.sentence()))
            blk.append("func (s *%s) %s(ctx context.Context, %s string) error {" % (
                g.ident("pascal"), g.ident("pascal"), g.word()))
            for _ in range(g.r.randint(2, 10)):
                k = g.r.random()
                if k < 0.3:
                    blk.append("\t%s, err := s.%s(ctx, %s)" % (g.ident("camel"), g.ident("pascal"),
                                                              g.word()))
                    blk.append("\tif err != nil {")
                    blk.append('\t\treturn fmt.Errorf("%s: %%w", err)' % g.sentence(2, 6))
                    blk.append("\t}")
                elif k < 0.5:
                    blk.append("\t// %s" % g.sentence(3, 12))
                else:
                    blk.append('\treq.Header.Set("%s", "%s")' % (
                        g.r.choice(["Content-Type", "X-Request-Id", "Accept", "User-Agent"]),
                        g.strlit()))
            blk.append("\treturn nil")
            blk.append("}")
        blk.append("")
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_yaml(g, budget):
    L = ["# %s" % g.sentence()]
    size = len(L[0])
    while size < budget:
        name = g.ident().replace("_", "-")
        blk = ["---", "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: %s" % name,
               "  labels:", "    app: %s" % name, "    version: v%s" % g.semver(), "spec:",
               "  replicas: %d" % g.r.randint(1, 6), "  template:", "    spec:", "      containers:",
               "        - name: %s" % name,
               "          image: registry.%s.io/%s@sha256:%s" % (g.r.choice(COMPANIES), name,
                                                                g.hexs(64)),
               "          env:"]
        for _ in range(g.r.randint(2, 10)):
            k = g.r.random()
            if k < 0.2:
                blk += ["            - name: %s" % g.ident("upper"),
                        "              valueFrom:", "                secretKeyRef:",
                        "                  name: %s-secrets" % name,
                        "                  key: %s" % g.ident().replace("_", "-")]
            else:
                blk += ["            - name: %s" % g.ident("upper"),
                        '              value: "%s"' % g.strlit()]
        blk += ["          resources:", "            limits:",
                '              memory: "%dMi"' % g.r.choice([128, 256, 512, 1024]), ""]
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_json(g, budget):
    if g.r.random() < 0.5:  # lockfile
        L = ["{", '  "name": "%s",' % g.ident().replace("_", "-"), '  "lockfileVersion": 3,',
             '  "packages": {']
        size = sum(len(x) for x in L)
        while size < budget:
            pkg = g.ident().replace("_", "-")
            v = g.semver()
            blk = ['    "node_modules/%s": {' % pkg, '      "version": "%s",' % v,
                   '      "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz",' % (pkg, pkg, v),
                   '      "integrity": "sha512-%s",' % g.b64blob(64),
                   '      "license": "MIT"', "    },"]
            L += blk
            size += sum(len(x) + 1 for x in blk)
        L += ['    "": {}', "  }", "}"]
        return L
    L = ["{"]
    size = 1
    while size < budget:
        if not g.maybe("assets"):
            blk = ['  "%s": {' % g.ident("camel"),
                   '    "%s": "%s",' % (g.ident("camel"), g.strlit()),
                   '    "%s": %s' % (g.ident("camel"), g.num()), "  },"]
            L += blk
            size += sum(len(x) + 1 for x in blk)
            continue
        blk = ['  "%s": {' % g.ident("camel"), '    "id": "%s",' % g.uuid(),
               '    "%s": "%s",' % (g.ident("camel"), g.strlit()),
               '    "%s": %s,' % (g.ident("camel"), g.num()),
               '    "%s": "%s",' % (g.r.choice(["checksum", "sha256", "digest", "etag"]), g.hexs(64)),
               '    "%s": "%s"' % (g.r.choice(["cert", "blob", "payload", "thumbnail"]),
                                   g.b64blob(g.r.randint(24, 300))),
               "  },"]
        L += blk
        size += sum(len(x) + 1 for x in blk)
    L.append('  "end": null')
    L.append("}")
    return L


def gen_env(g, budget):
    L = ["# %s" % g.sentence()]
    size = len(L[0])
    while size < budget:
        k = g.r.random()
        name = g.ident("upper")
        if k < 0.2 * g.p["url_lines"]:
            ln = "%s=%s" % (name, g.url())
        elif k < 0.35:
            ln = "%s=%s" % (name, g.r.choice(["true", "false", "changeme", "<your-token>", "xxx",
                                              "${%s}" % g.ident("upper")]))
        elif k < 0.5:
            ln = "%s=%s" % (name, g.num())
        elif k < 0.6:
            ln = "# %s" % g.sentence()
        elif k < 0.7:
            ln = "%s_ID=%s" % (name, g.uuid())
        else:
            ln = "%s=%s" % (name, g.ident())
        L.append(ln)
        size += len(ln) + 1
    return L


def gen_md(g, budget):
    L = ["# %s" % g.ident("pascal"), ""]
    size = sum(len(x) for x in L)
    while size < budget:
        k = g.r.random()
        if k < 0.55:
            blk = [" ".join(g.sentence() for _ in range(g.r.randint(2, 6))), ""]
        elif k < 0.7:
            blk = ["## %s" % g.sentence(2, 5).rstrip("."), ""]
        elif k < 0.7 + 0.15 * g.p["url_lines"]:
            blk = ["```sh", "curl -sSL %s | sh" % g.url(), "%s --%s=%s" % (g.word(), g.word(), g.num()),
                   "```", ""]
        elif k < 0.7 + 0.3 * g.p["url_lines"]:
            blk = ["- [%s](%s)" % (g.sentence(2, 4), g.url()) for _ in range(g.r.randint(2, 6))]
            blk.append("")
        else:
            blk = [" ".join(g.sentence() for _ in range(g.r.randint(2, 6))), ""]
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_tf(g, budget):
    L = ['terraform {', '  required_version = ">= 1.5"', "}", ""]
    size = sum(len(x) for x in L)
    while size < budget:
        name = g.ident()
        blk = ['resource "%s" "%s" {' % (g.r.choice(["aws_s3_bucket", "aws_iam_role",
                                                       "google_storage_bucket", "aws_instance",
                                                       "azurerm_key_vault"]), name),
               '  name   = "%s-%s"' % (name.replace("_", "-"), g.hexs(6)),
               '  region = var.%s' % g.ident()]
        for _ in range(g.r.randint(1, 6)):
            blk.append('  %s = "%s"' % (g.ident(), g.strlit()))
        blk += ["  tags = {", '    Owner = "%s"' % g.word(), '    Env   = "%s"' % g.r.choice(
            ["prod", "staging", "dev"]), "  }", "}", ""]
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


def gen_sh(g, budget):
    L = ["#!/bin/sh", "# %s" % g.sentence(), "set -eu", ""]
    size = sum(len(x) for x in L)
    while size < budget:
        fn = g.ident()
        blk = ["%s() {" % fn]
        for _ in range(g.r.randint(2, 8)):
            k = g.r.random()
            if k < 0.3 * g.p["url_lines"]:
                blk.append('  curl -fsS -H "Authorization: Bearer ${%s}" "%s"' % (
                    g.ident("upper"), g.url()))
            elif k < 0.5:
                blk.append('  echo "%s"' % g.sentence(2, 8))
            elif k < 0.7:
                blk.append('  %s="${%s:-%s}"' % (g.ident("upper"), g.ident("upper"), g.word()))
            else:
                blk.append("  # %s" % g.sentence())
        blk += ["}", ""]
        L += blk
        size += sum(len(x) + 1 for x in blk)
    return L


LANGS = [  # (lang, generator, extensions, weight)
    ("c", gen_c, [".c", ".h"], 14),
    ("py", gen_py, [".py"], 16),
    ("js", gen_js, [".js", ".ts", ".min.js"], 16),
    ("go", gen_go, [".go"], 12),
    ("yaml", gen_yaml, [".yaml", ".yml"], 9),
    ("json", gen_json, [".json"], 9),
    ("env", gen_env, [".env"], 3),
    ("md", gen_md, [".md"], 9),
    ("tf", gen_tf, [".tf"], 5),
    ("sh", gen_sh, [".sh"], 7),
]


def file_budget(g):
    # log-uniform 512 B .. 64 KiB, with an occasional large file (bundles, lockfiles, dumps)
    if g.r.random() < 0.02:
        return g.r.randint(256 * 1024, 1024 * 1024)
    return int(2 ** g.r.uniform(9, 16))


def plan(g, size_bytes, n_secrets):
    langs = [l for l in LANGS for _ in range(l[3])]
    files = []
    total = 0
    i = 0
    while total < size_bytes:
        lang = g.r.choice(langs)
        budget = min(file_budget(g), max(256, size_bytes - total))
        ext = g.r.choice(lang[2])
        d = "repo%02d/%s/%s" % (i % 17, g.word(), g.word())
        path = "%s/%s_%05d%s" % (d, g.ident(), i, ext)
        if lang[0] == "env":
            path = "%s/.env.%s%05d" % (d, g.word(), i)
        files.append([path, lang, budget, []])
        total += budget
        i += 1
    for k in range(n_secrets):
        files[g.r.randrange(len(files))][3].append(KINDS[k % len(KINDS)])
    for _ in range(max(1, n_secrets // 4)):
        files[g.r.randrange(len(files))][3].append("decoy")
    return files


def render(g, lang, budget, kinds):
    lines = lang[1](g, budget)
    planted = []
    blocks = []  # [start, end) of the lines inserted so far
    for kind in kinds:
        pos = g.r.randint(1, max(1, len(lines) - 1))
        if kind == "decoy":
            new, marks = ['%s = "%s"' % (g.ident(), g.decoy())], []
        else:
            new, marks = secret_lines(g, lang[0], kind)
        # never inside an earlier insertion (a PEM block split by another secret is no key); the
        # position moves to that block's end, drawing nothing, so other files are unchanged
        for start, end in blocks:
            if start < pos < end:
                pos = end
        # shift earlier marks and blocks that sit at or after the insertion point
        planted = [(ln + len(new) if ln >= pos else ln, k) for ln, k in planted]
        planted += [(pos + off, k) for off, k in marks]
        blocks = [(a + len(new), b + len(new)) if a >= pos else (a, b) for a, b in blocks]
        blocks.append((pos, pos + len(new)))
        lines[pos:pos] = new
    text = "\n".join(lines) + "\n"
    return text, sorted((ln + 1, k) for ln, k in planted)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="dense",
                    help="what the text is made of (see PROFILES; default dense, the first corpus)")
    ap.add_argument("--size", type=float, default=64, help="corpus size in MB (10^6 bytes)")
    ap.add_argument("--secrets", type=int, default=None,
                    help="planted secrets (default: 2 per MB, at least 12)")
    ap.add_argument("--out", help="write files under this directory")
    ap.add_argument("--single", help="write one concatenated file instead")
    a = ap.parse_args()
    if bool(a.out) == bool(a.single):
        ap.error("give exactly one of --out DIR or --single FILE")
    size = int(a.size * 1e6)
    n_secrets = a.secrets if a.secrets is not None else max(12, int(a.size * 2))
    g = Gen(a.seed, a.profile)
    files = plan(g, size, n_secrets)

    if a.single:
        os.makedirs(os.path.dirname(os.path.abspath(a.single)), exist_ok=True)
        out = open(a.single, "w", encoding="utf-8", newline="\n")
        manifest = open(a.single + ".planted.jsonl", "w", encoding="utf-8")
    else:
        os.makedirs(a.out, exist_ok=True)
        manifest = open(os.path.join(a.out, "planted.jsonl"), "w", encoding="utf-8")
    total_bytes = 0
    total_planted = 0
    line_base = 0
    for path, lang, budget, kinds in files:
        text, planted = render(g, lang, budget, kinds)
        if a.single:
            out.write(text)
            where = a.single
        else:
            full = os.path.join(a.out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            where = path
        for ln, kind in planted:
            manifest.write(json.dumps({"path": where, "line": ln + line_base, "kind": kind},
                                      sort_keys=True) + "\n")
        total_planted += len(planted)
        total_bytes += len(text)
        if a.single:
            line_base += text.count("\n")
    manifest.close()
    if a.single:
        out.close()
    print("files=%d bytes=%d planted=%d (secrets=%d, aws pairs count twice)" % (
        len(files), total_bytes, total_planted, n_secrets), file=sys.stderr)


if __name__ == "__main__":
    main()
