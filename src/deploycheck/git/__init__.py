"""Git and the change model: running git, reading objects, the branch's diff parsed into a
``Change`` of ``FileChange`` s, hunks and lines, the base branch chosen, and ``Finding``.
"""
