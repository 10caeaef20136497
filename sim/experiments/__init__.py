"""What is done with the model: runs and their results (`results`, `parallel`, `microdata`),
comparisons (`compare`), sweeps and sensitivity on Dask (`sweep`, `sweep_spec`, `sweep_plan`,
`sweep_store`, `cluster`, `sensitivity`), calibration (`targets`, `calibration`, `calibration_fit`,
`targets_check`), validation against public figures (`validation`), the scenarios report
(`scenario_report`) and the EMA Workbench connector (`ema`)."""
