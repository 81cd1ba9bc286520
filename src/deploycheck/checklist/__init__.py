"""The checklist's questions and the answers format (parsed, validated, contradicted).
"""
