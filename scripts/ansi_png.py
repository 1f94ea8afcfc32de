#!/usr/bin/python3
"""Renders a terminal capture (tmux capture-pane -e -p: text with SGR colour
sequences) to a PNG, the way the terminal showed it: 16/256/true colours,
bold, reverse, underline. Used by scripts/screenshots.sh.

usage: ansi_png.py CAPTURE.txt OUT.png COLUMNS ROWS
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
BG = (24, 24, 24)
FG = (208, 208, 208)
# xterm's 16 colours
BASE16 = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]


def colour256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = False
        self.reverse = False
        self.underline = False

    def sgr(self, params):
        nums = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(nums):
            n = nums[i]
            if n == 0:
                self.reset()
            elif n == 1:
                self.bold = True
            elif n == 4:
                self.underline = True
            elif n == 7:
                self.reverse = True
            elif n == 22:
                self.bold = False
            elif n == 24:
                self.underline = False
            elif n == 27:
                self.reverse = False
            elif 30 <= n <= 37:
                self.fg = BASE16[n - 30]
            elif 90 <= n <= 97:
                self.fg = BASE16[n - 90 + 8]
            elif 40 <= n <= 47:
                self.bg = BASE16[n - 40]
            elif 100 <= n <= 107:
                self.bg = BASE16[n - 100 + 8]
            elif n == 39:
                self.fg = None
            elif n == 49:
                self.bg = None
            elif n in (38, 48) and i + 1 < len(nums):
                if nums[i + 1] == 5 and i + 2 < len(nums):
                    c = colour256(nums[i + 2])
                    i += 2
                elif nums[i + 1] == 2 and i + 4 < len(nums):
                    c = tuple(nums[i + 2:i + 5])
                    i += 4
                else:
                    c = None
                if n == 38:
                    self.fg = c
                else:
                    self.bg = c
            i += 1

    def colours(self):
        fg = self.fg or FG
        bg = self.bg or BG
        # bold is a heavier font, not a brighter colour (as most terminals draw it
        # today): black on cyan stays black
        if self.reverse:
            fg, bg = bg, fg
        return fg, bg


CSI = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")


def render(text, cols, rows, out):
    font = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    box = font.getbbox("M")
    cw = font.getlength("M")
    ch = SIZE + 4
    pad = 8
    img = Image.new("RGB", (int(cw * cols) + 2 * pad, ch * rows + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    pen = Pen()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        coloured = False  # an SGR on this line (the pen's state otherwise came from the line above)
        while pos < len(line) and x < cols:
            m = CSI.match(line, pos)
            if m:
                if m.group(2) == "m":
                    pen.sgr(m.group(1))
                    coloured = True
                pos = m.end()
                continue
            c = line[pos]
            pos += 1
            if c == "\x1b":
                continue
            fg, bg = pen.colours()
            px, py = pad + x * cw, pad + y * ch
            draw.rectangle([px, py, px + cw, py + ch - 1], fill=bg)
            if c != " ":
                draw.text((px, py + 1 - box[1] + 2), c, font=bold if pen.bold else font, fill=fg)
            if pen.underline:
                draw.line([px, py + ch - 2, px + cw, py + ch - 2], fill=fg)
            x += 1
        # the rest of the line keeps the background of the pen (as terminals erase), when
        # the line set it: tmux leaves trailing default cells out without a reset, so a
        # pen carried over from a highlighted line must not paint the blank lines below
        if x < cols and coloured:
            _, bg = pen.colours()
            if bg != BG:
                draw.rectangle([pad + x * cw, pad + y * ch, pad + cols * cw, pad + y * ch + ch - 1],
                               fill=bg)
    img.save(out, optimize=True)


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
    render(text, int(sys.argv[3]), int(sys.argv[4]), sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
