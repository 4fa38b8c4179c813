"""Runs a command with stdin, stdout and (unless --stderr-file F) stderr on a
pseudo-terminal; prints what the terminal received with CR, ESC[K and the MB figure
of progress lines made visible: <CR>, <EL>, <MB>. Exit status: the command's."""
import os, pty, re, subprocess, sys

args = sys.argv[1:]
err_file = None
if args[:1] == ["--stderr-file"]:
    err_file, args = args[1], args[2:]
master, slave = pty.openpty()
err = open(err_file, "wb") if err_file else slave
p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=err, close_fds=True)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    out += chunk
code = p.wait()
text = out.decode("utf-8", "replace").replace("\r\n", "\n")  # the tty's ONLCR
text = re.sub(r"rows, [0-9]+\.[0-9] MB", "rows, <MB> MB", text)
sys.stdout.write(text.replace("\r", "<CR>").replace("\033[K", "<EL>"))
# the MB figure: bytes read so far (whole input buffers), between the 65,536 rows
# consumed and the whole file
m = re.search(rb"rows, ([0-9]+\.[0-9]) MB", out)
if m:
    mb = float(m.group(1))
    with open(args[-1], "rb") as f:
        lines = f.read().split(b"\n")
    lo = sum(len(l) + 1 for l in lines[:65537]) / 1e6  # header + 65,536 rows
    hi = os.path.getsize(args[-1]) / 1e6
    ok = lo - 0.05 <= mb <= hi + 0.05
    print("MB figure %s" % ("between rows read and file size" if ok else "OUT OF RANGE %s" % mb))
sys.exit(code)
