"""Output formats: scan reports (text, JSON, SARIF, GitHub), the gate's verdict printed, the
pull request's summary block, the Rich console.
"""
