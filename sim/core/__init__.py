"""The engine and its data: the model and its clock (`model`), households and labourers as arrays
(`households`), villages and counties (`villages`), the population builder (`population`), region
profiles (`regions`), the scenario schema and its parameters (`scenario`, `params`, `schedules`,
`calibrated`), indicators and the recorder (`indicators`), the component interface (`component`), the
month's order (`registry`), waiting-time draws (`events`), the seed statistics (`seeds`) and input
errors (`errors`)."""
