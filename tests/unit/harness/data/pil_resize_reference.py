"""Writes the expected images of tests/unit/harness/policy_io_test.cpp's
resize_with_pad cases with Pillow and openpi_client's resize_with_pad (copied
semantics: ratio = max(w / W, h / H), int() sides, BILINEAR, paste at the
int() half padding). Run with a python3 that has numpy and Pillow:

    python3 tests/unit/harness/data/pil_resize_reference.py

and paste its output into the test. Generated with Pillow 9.4.0 (Debian 12's
python3-pil).
"""
import numpy as np
from PIL import Image


def pattern(h, w):
    r, c, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return ((r * 37 + c * 91 + ch * 53 + r * c * 7) % 256).astype(np.uint8)


def resize_with_pad(img, height, width):
    if img.shape[:2] == (height, width):
        return img
    image = Image.fromarray(img)
    cur_width, cur_height = image.size
    ratio = max(cur_width / width, cur_height / height)
    resized_height = int(cur_height / ratio)
    resized_width = int(cur_width / ratio)
    resized = image.resize((resized_width, resized_height), resample=Image.BILINEAR)
    zero = Image.new(resized.mode, (width, height), 0)
    pad_height = max(0, int((height - resized_height) / 2))
    pad_width = max(0, int((width - resized_width) / 2))
    zero.paste(resized, (pad_width, pad_height))
    return np.asarray(zero)


# (source height, source width, target height, target width)
CASES = [(5, 7, 4, 4), (4, 6, 8, 10), (3, 10, 6, 5), (17, 23, 5, 6), (6, 6, 6, 6), (12, 9, 12, 5)]
for h, w, th, tw in CASES:
    out = resize_with_pad(pattern(h, w), th, tw)
    assert out.shape == (th, tw, 3)
    print('    {%d, %d, %d, %d, "%s"},' % (h, w, th, tw, out.tobytes().hex()))
# Pillow's resize alone (source h, w -> target h, w), no padding.
for h, w, th, tw in [(5, 7, 4, 3), (4, 4, 9, 7)]:
    out = np.asarray(Image.fromarray(pattern(h, w)).resize((tw, th), resample=Image.BILINEAR))
    print('    {%d, %d, %d, %d, "%s"},' % (h, w, th, tw, out.tobytes().hex()))
