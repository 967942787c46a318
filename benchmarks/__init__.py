"""Speed and memory of duban_xl on realistic ledgers, as ratios to a bare read (issue 5).

``python -m benchmarks.run`` (``make bench``) generates ledgers of 1k, 10k and
100k items once into ``benchmarks/.cache/``, then times every stage in its own
subprocess and compares it with the fastest bare reader measured in the same run.
"""
