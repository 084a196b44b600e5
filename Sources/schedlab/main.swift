print("schedlab")
