#!/usr/bin/env python3
"""Write the policy sets of scripts/bench-hooks into DIR/<set>/.

usage: policies.py SEED_DIR DIR

  none     no policy (an empty directory)
  seed     the seed policies (Tests/Fixtures/seed)
  exec10k  10,000 exec rules in 1,000 native files: a third exact paths, a
           third prefixes, a third regular expressions (as scripts/bench-compile)
           and, in DIR/exec10k.apparmor, the same rules as AppArmor profile
           rules (Tests/VM/bench/update.sh), one a line
  cap1k    1,000 capability rules over 200 distinct subjects (executable
           paths, and arguments for every fourth), 5 capabilities each
  content  a literal-path deny rule (its file's content is denied too: the
           guest creates /opt/bench-content/denied) and a sha256: rule of 100
           digests: every exec and executable mapping is hashed, or its
           kept digest read

No rule matches what the loads run (/bin/true, python3, the libraries).
"""
import hashlib
import shutil
import sys
from pathlib import Path

seed, root = Path(sys.argv[1]), Path(sys.argv[2])
shutil.rmtree(root, ignore_errors=True)
for name in ("none", "seed", "exec10k", "cap1k", "content"):
    (root / name).mkdir(parents=True)
for path in sorted(seed.glob("*.yaml")):
    shutil.copy(path, root / "seed" / path.name)


def policy(name, rules):
    return (f"apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: {{ name: {name} }}\n"
            f"spec:\n  rules:\n" + "\n".join(rules) + "\n")


# AppArmor's side: an exact path is the same path; a prefix audited (allowed
# and logged) is `audit PREFIX** ix` (ix as the profile's bare `file` rule
# allows); a regex becomes a glob, {a,b} for (a|b), and, as globs repeat no
# class, t{r}{,[0-9]*} for t{r}[0-9]*: its first character past t{r} must be a
# digit, the others anything but / (a little wider than the regex).
apparmor = []
for f in range(1000):
    rules = []
    for r in range(10):
        kind = (f * 10 + r) % 3
        if kind == 0:
            rules.append(f"    - exec: {{ path: /opt/app{f}/bin/tool{r} }}\n      action: deny")
            apparmor.append(f"deny /opt/app{f}/bin/tool{r} x,")
        elif kind == 1:
            rules.append(f"    - exec: {{ pathPrefix: /srv/app{f}/r{r}/ }}\n      action: audit")
            apparmor.append(f"audit /srv/app{f}/r{r}/** ix,")
        else:
            rules.append(f"    - exec: {{ pathRegex: \"^/usr/local/app{f}/(bin|sbin)/t{r}[0-9]*$\" }}\n"
                         f"      action: deny")
            apparmor.append(f"deny /usr/local/app{f}/{{bin,sbin}}/t{r}{{,[0-9]*}} x,")
    (root / "exec10k" / f"{f:04d}.yaml").write_text(policy(f"exec{f}", rules))
(root / "exec10k.apparmor").write_text("\n".join(apparmor) + "\n")

digests = ", ".join(hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(100))
(root / "content" / "content.yaml").write_text(policy("content", [
    "    - exec: { path: /opt/bench-content/denied }\n      action: deny",
    f"    - exec: {{ sha256: [{digests}] }}\n      action: deny",
]))

CAPS = ["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_NET_RAW", "CAP_SYS_MODULE",
        "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_SETUID", "CAP_SYS_TIME", "CAP_MKNOD"]
for s in range(200):
    subject = f"{{ path: /opt/svc{s}/bin/daemon }}"
    if s % 4 == 3:
        subject = f"{{ path: /opt/svc{s}/bin/daemon, argsRegex: \"--instance svc{s}$\" }}"
    rules = [f"    - capability: [{CAPS[(s + c) % len(CAPS)]}]\n      subject: {subject}\n      action: deny"
             for c in range(5)]
    (root / "cap1k" / f"{s:03d}.yaml").write_text(policy(f"cap{s}", rules))
