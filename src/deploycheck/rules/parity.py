"""(placeholder: rules of this family are being written)"""

RULES: tuple = ()
DETECTORS: tuple = ()
