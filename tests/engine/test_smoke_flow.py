def test_photo_id_path_registers_with_a_number(driver):
    registered = driver.register()
    assert len(registered.registration_number) == 8
