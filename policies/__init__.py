"""The SOPs as data and pure decisions (policies.sop, decision, actions, parameters, calendar),
and apart from them the storage of policy versions (models, selectors, services, admin)."""
