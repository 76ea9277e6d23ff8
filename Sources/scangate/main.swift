print("scangate")
