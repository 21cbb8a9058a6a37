"""The funnel family: lifecycle funnel (lifecycle), behaviour funnel (behaviour), leaks against the previous
period (leaks) and the headline KPIs (kpis). Stage reach itself is smarketing.reach."""
