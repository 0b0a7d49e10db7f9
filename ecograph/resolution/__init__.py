"""Entity resolution: one organisation from several sources becomes one node.

:mod:`.keys` holds the matching keys, :mod:`.records` what a store keeps of the decisions,
:mod:`.resolver` decides during a load, :mod:`.merging` merges and splits on request.
"""
