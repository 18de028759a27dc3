"""Pure routing core: queues, skills, agents, policies, decisions."""
