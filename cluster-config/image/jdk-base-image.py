#!/usr/bin/env python3
"""Offline base image for Jib: a docker-save tar with one layer holding this machine's JDK 17 (under
/opt/java/openjdk, symlinks resolved) and the few shared libraries the JVM loads (glibc, libz, libstdc++).

For machines that cannot reach a container registry (CI sandboxes): the image built on it runs the node,
but it is NOT a production base (no package manager, no CA bundle beyond the JDK's, no updates). In
production use eclipse-temurin:17-jre, the default of the switch-node 'image' profile.

  python3 cluster-config/image/jdk-base-image.py /tmp/jdk17-base.tar [JDK_HOME]
  ./mvnw -pl switch-node -am -Pimage -DskipTests package -Djib.from.image=tar:///tmp/jdk17-base.tar
"""
import hashlib, io, json, os, sys, tarfile, time

OUT = sys.argv[1] if len(sys.argv) > 1 else "jdk17-base.tar"
J = sys.argv[2] if len(sys.argv) > 2 else "/usr/lib/jvm/java-17-openjdk-amd64"
if not os.path.isfile(os.path.join(J, "bin", "java")):
    sys.exit("no JDK at " + J + " (give its directory as the second argument)")
libs = ["/lib64/ld-linux-x86-64.so.2"] + ["/lib/x86_64-linux-gnu/" + l for l in
        ["libc.so.6", "libm.so.6", "libz.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libpthread.so.0", "libdl.so.2",
         "librt.so.1", "libnss_files.so.2", "libresolv.so.2"]]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, dereference=True) as t:
    def d(name, mode=0o755):
        ti = tarfile.TarInfo(name); ti.type = tarfile.DIRTYPE; ti.mode = mode; t.addfile(ti)
    def f(name, data, mode=0o644):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode; t.addfile(ti, io.BytesIO(data))
    for n in ["etc", "lib", "lib64", "lib/x86_64-linux-gnu", "opt", "opt/java", "usr", "var", "var/lib"]: d(n)
    d("tmp", 0o1777)
    f("etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\nposp:x:10001:10001:posp:/tmp:/sbin/nologin\n")
    f("etc/group", b"root:x:0:\nposp:x:10001:\n")
    f("etc/nsswitch.conf", b"hosts: files dns\npasswd: files\ngroup: files\n")
    for l in libs:
        if os.path.exists(l): t.add(l, arcname=l.lstrip("/"))
    # the runtime parts of the JDK; Debian's symlinks (conf files, cacerts) are followed
    for sub in ["bin", "conf", "lib", "legal", "release"]:
        top = os.path.join(J, sub)
        if os.path.isfile(top):
            t.add(top, arcname="opt/java/openjdk/" + sub)
            continue
        for root, dirs, files in os.walk(top, followlinks=True):
            rel = os.path.relpath(root, J)
            t.add(root, arcname="opt/java/openjdk/" + rel, recursive=False)
            for fn in files:
                path = os.path.join(root, fn)
                if os.path.exists(path) and not fn.endswith((".debuginfo", "src.zip")):
                    t.add(path, arcname="opt/java/openjdk/" + os.path.join(rel, fn), recursive=False)
layer = buf.getvalue()
diff = "sha256:" + hashlib.sha256(layer).hexdigest()
config = {"architecture": "amd64", "os": "linux",
          "config": {"Env": ["PATH=/opt/java/openjdk/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java/openjdk"]},
          "rootfs": {"type": "layers", "diff_ids": [diff]}, "history": [{"created_by": "jdk-base-image.py from " + J}]}
cfg = json.dumps(config).encode()
with tarfile.open(OUT, "w") as out:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = int(time.time()); out.addfile(ti, io.BytesIO(data))
    add("layer.tar", layer)
    add("config.json", cfg)
    add("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["local/jdk17-base:latest"], "Layers": ["layer.tar"]}]).encode())
print(OUT + ": one layer of", len(layer) // 2**20, "MiB,", diff)
