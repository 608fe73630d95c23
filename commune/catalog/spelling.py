"""Words as villagers type them on a phone: run together ("khaisinh") or one letter off ("sinnh", "kai").

The catalog's own words are the dictionary. A typed word that no catalog word starts with is
split into catalog words, or replaced by a catalog word one edit away (a letter missing, extra,
doubled, swapped or wrong). Among the choices, the one that makes word pairs the catalog uses
with its neighbours wins ("kai sinh" -> "khai sinh", not "hai sinh"). Built once per catalog
version, beside the search rows; mending a query is a few set look-ups.
"""
import math
from collections import Counter, defaultdict
from itertools import pairwise

LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_PIECES = 6  # "dangkykethonconguoi…" — longer run-together words are left as typed
NAME_PAIR, BODY_PAIR = 2.0, 1.0  # a known word pair, in names/keywords or only in documents
MEND_COST, SAME_START = 1.0, 0.3  # one edit; people seldom miss the first letter
NEXT_KEY = 0.2  # a wrong letter next to the right one on the keyboard ("hôm" for "hôn")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYS = {key: (row, col + (0, 0.25, 0.75)[row]) for row, keys in enumerate(_ROWS) for col, key in enumerate(keys)}
PIECE_COST = 0.25  # each extra piece of a split word
UNMENDED_COST = {True: 0.8, False: 1.5}  # keeping an unknown word: short (≤ 2 letters) or not


def _next_key(term, word):
    """Is `word` `term` with one letter replaced by a key next to it (QWERTY, as phones type Telex)?"""
    if len(term) != len(word):
        return False
    differ = [(a, b) for a, b in zip(term, word, strict=True) if a != b]
    if len(differ) != 1 or not all(c in _KEYS for c in differ[0]):
        return False
    (row_a, x_a), (row_b, x_b) = _KEYS[differ[0][0]], _KEYS[differ[0][1]]
    return abs(row_a - row_b) <= 1 and abs(x_a - x_b) <= 1


def _edits(word):
    """Every string one deletion, transposition, substitution or insertion away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + swaps + replaces + inserts)


class Lexicon:
    """The catalog's words, their starts and the word pairs it uses."""

    def __init__(self, name_texts, body_texts):
        self.weight = Counter()  # a word in names/keywords counts 3, in documents 1
        self.pairs = defaultdict(dict)  # first word -> {second word: NAME_PAIR or BODY_PAIR}
        for texts, weight, score in ((body_texts, 1, BODY_PAIR), (name_texts, 3, NAME_PAIR)):
            words, pairs = Counter(), set()
            for text in set(texts):
                split = text.split()
                words.update(split)
                pairs.update(pairwise(split))
            for word, count in words.items():
                self.weight[word] += weight * count
            for first, second in pairs:
                self.pairs[first][second] = score  # names come last: their score wins
        self.starts = {word[:i] for word in self.weight for i in range(1, len(word) + 1)}

    def known(self, term, last):
        """Would the search find this word as typed? (Short words must be whole unless last.)"""
        return term in self.starts if last or len(term) > 2 else term in self.weight

    def pair(self, first, second, prefix=False):
        """How well two words go together in the catalog (0 = never seen side by side)."""
        following = self.pairs.get(first, {})
        if not prefix:
            return following.get(second, 0.0)
        return max((score for word, score in following.items() if word.startswith(second)), default=0.0)

    def mended(self, terms):
        """`terms` with each unknown word split or mended, or None when nothing needs (or can take) it."""
        last = len(terms) - 1
        options, changed = [], False
        for i, term in enumerate(terms):
            if self.known(term, i == last):
                options.append([((term,), 0.0)])
                continue
            choices = self._splits(term, i == last) + self._mends(term)
            changed = changed or bool(choices)
            options.append([((term,), -UNMENDED_COST[len(term) <= 2]), *choices])
        if not changed:
            return None
        words = self._best_path(options, last_is_prefix=self.known(terms[-1], True))
        return words if words != list(terms) else None

    def _mends(self, term):
        """[((word,), gain)] for catalog words one edit away."""
        if len(term) < 2:
            return []
        found = []
        for word in sorted(_edits(term) & self.weight.keys()):  # sorted: the same choice on every run
            if not word.isalpha():
                continue
            gain = (-MEND_COST + (SAME_START if word[0] == term[0] else 0) + (NEXT_KEY if _next_key(term, word) else 0)
                    + 0.02 * min(math.log(self.weight[word]), 6))
            found.append(((word,), gain))
        return found

    def _splits(self, term, last):
        """[((piece, …), gain)] for `term` cut into catalog words of 2+ letters, most pieces paired.

        The last piece of the query's last word may be a word start (still being typed).
        """
        if len(term) < 4:
            return []
        found = []

        def walk(rest, pieces):
            if len(pieces) > MAX_PIECES or len(found) > 50:
                return
            if not rest:
                if len(pieces) > 1:
                    found.append(tuple(pieces))
                return
            for cut in range(2, len(rest) + 1):
                piece = rest[:cut]
                if piece in self.weight or (last and cut == len(rest) and piece in self.starts):
                    walk(rest[cut:], [*pieces, piece])

        walk(term, [])
        choices = []
        for pieces in found:
            prefix_end = last and pieces[-1] not in self.weight
            links = [self.pair(a, b, prefix_end and j == len(pieces) - 2)
                     for j, (a, b) in enumerate(pairwise(pieces))]
            if sum(1 for link in links if link) * 2 < len(links):
                continue  # syllables the catalog never puts side by side: not a real split
            choices.append((pieces, sum(links) - PIECE_COST * (len(pieces) - 1)))
        return choices

    def _best_path(self, options, last_is_prefix):
        """The choice per word that scores best with its neighbours' word pairs (a small Viterbi)."""
        paths = [(gain, list(words)) for words, gain in options[0]]
        for position, choices in enumerate(options[1:], start=1):
            prefix = position == len(options) - 1 and last_is_prefix
            step = []
            for words, gain in choices:
                last_piece_prefix = prefix and len(words) == 1
                best = max(paths, key=lambda path: path[0] + self.pair(path[1][-1], words[0], last_piece_prefix))
                step.append((best[0] + gain + self.pair(best[1][-1], words[0], last_piece_prefix),
                             [*best[1], *words]))
            paths = step
        return max(paths, key=lambda path: path[0])[1]
