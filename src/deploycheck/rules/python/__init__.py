"""The Python rule family (DC1xx-DC4xx). ``family`` gathers the detectors; ``gate`` decides,
from the path and changed lines alone, whether the family needs to be imported at all.
"""
