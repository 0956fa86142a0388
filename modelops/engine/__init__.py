"""Running the program: the entry point, the offline render (Pulumi's mocks), the rehearsal
on moto with its gap fillers, and the live checks (verify, drift)."""
