"""Writes data/fashion-mnist-subset: the first 10,000 training and 2,000 test images of Fashion-MNIST.

The quick sweep preset trains on it, so that the README's main command works offline on a fresh machine.
Source: Debian's dataset-fashion-mnist package (or any folder with the four IDX .gz files).
Usage: python3 build/make-fashion-mnist-subset.py [/usr/share/datasets/fashion-mnist]
"""
import gzip, os, struct, sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fashion-mnist-subset")
os.makedirs(dst, exist_ok=True)
for prefix, take in (("train", 10000), ("t10k", 2000)):
    with gzip.open(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz")) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        pixels = f.read(take * rows * cols)
    with gzip.GzipFile(os.path.join(dst, f"{prefix}-images-idx3-ubyte.gz"), "wb", compresslevel=9, mtime=0) as f:
        f.write(struct.pack(">IIII", magic, take, rows, cols) + pixels)
    with gzip.open(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        magic, n = struct.unpack(">II", f.read(8))
        labels = f.read(take)
    with gzip.GzipFile(os.path.join(dst, f"{prefix}-labels-idx1-ubyte.gz"), "wb", compresslevel=9, mtime=0) as f:
        f.write(struct.pack(">II", magic, take) + labels)
