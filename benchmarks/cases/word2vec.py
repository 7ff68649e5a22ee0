"""Word2vec (issue 24): training time of SGNS on the chapter's synthetic world.

The issue's target is absolute (the synthetic-corpus model trains in under 15 s), which a
time ratio cannot express, so ``target`` is None and the ratio to the count-and-factorise
route (shifted positive PMI + scikit-learn's TruncatedSVD, Levy & Goldberg 2014) is only
recorded. ``error`` is the difference of analogy accuracies, ours minus the reference.
"""

from mlnotes_helpers import load_chapter, make_rng


def cases():
    ch = load_chapter("word2vec")
    tokens = ch.world_corpus(3000, make_rng(24))
    w2i, _ = ch.build_vocab(tokens)
    ids = ch.encode(tokens, w2i)
    questions = ch.world_analogies()
    cfg = dict(dim=20, window=2, negatives=5, epochs=5, lr=0.025, seed=1)

    def ours():
        return ch.analogy_accuracy(ch.train_sgns(ids, len(w2i), **cfg)[0], w2i, questions)

    def reference():
        V = ch.sppmi_svd(ids, len(w2i), 20, 2, 5, 0)
        return ch.analogy_accuracy(V, w2i, questions)

    return [
        {
            "problem": "SGNS on the synthetic world (analogy accuracy, ours - SPPMI-SVD)",
            "ours": ours,
            "reference": reference,
            "error": lambda a, b: float(a - b),
            "target": None,
        }
    ]
