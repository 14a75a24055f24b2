"""De Gouden Poort intake assistant: domain logic that Rasa's custom actions call into."""
