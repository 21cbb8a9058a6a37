"""Lead flow: de-duplication (dedupe, normalize), the hand-off SLA (sla), the flow between owners (flow) and the
lead lists handed to sales (lists)."""
