/**
 * The demo world in one place: the org tree, the slaves and the USB devices that `npm start`, the
 * tests and the benches use. Devices are real products with their real USB ids.
 */

export interface DemoOrgUnit {
  readonly key: string
  readonly name: string
  readonly nameEn: string
  readonly children?: ReadonlyArray<DemoOrgUnit>
}

/** organization → company → project department, in Chinese with English names. */
export const demoOrgTree: ReadonlyArray<DemoOrgUnit> = [
  {
    key: "hx",
    name: "华信集团",
    nameEn: "Huaxin Group",
    children: [
      {
        key: "hx-tech",
        name: "华信科技有限公司",
        nameEn: "Huaxin Technology Co., Ltd.",
        children: [
          { key: "hx-tech-fw", name: "固件开发部", nameEn: "Firmware Development" },
          { key: "hx-tech-qa", name: "测试验证部", nameEn: "Test & Validation" }
        ]
      },
      {
        key: "hx-auto",
        name: "华信汽车电子",
        nameEn: "Huaxin Automotive Electronics",
        children: [
          { key: "hx-auto-ecu", name: "ECU 项目部", nameEn: "ECU Project" },
          { key: "hx-auto-bms", name: "电池管理项目部", nameEn: "Battery Management Project" }
        ]
      }
    ]
  },
  {
    key: "bj",
    name: "北极星研究院",
    nameEn: "Polaris Research Institute",
    children: [
      {
        key: "bj-lab",
        name: "北极星实验室",
        nameEn: "Polaris Labs",
        children: [{ key: "bj-lab-iot", name: "物联网项目部", nameEn: "IoT Project" }]
      }
    ]
  }
]

export interface DemoDeviceModel {
  readonly vendorId: string
  readonly productId: string
  readonly manufacturer: string
  readonly product: string
  readonly deviceClass: string
  readonly speed: string
  /** A prefix for generated serial numbers; null for products that report none. */
  readonly serialPrefix: string | null
}

/** Dongles, programmers, serial adapters and phones as their USB descriptors present them. */
export const demoDeviceModels: ReadonlyArray<DemoDeviceModel> = [
  { vendorId: "0403", productId: "6001", manufacturer: "FTDI", product: "FT232R USB UART", deviceClass: "00", speed: "12", serialPrefix: "A10K" },
  { vendorId: "0403", productId: "6010", manufacturer: "FTDI", product: "Dual RS232-HS", deviceClass: "00", speed: "480", serialPrefix: "FT2H" },
  { vendorId: "067b", productId: "2303", manufacturer: "Prolific Technology Inc.", product: "USB-Serial Controller", deviceClass: "00", speed: "12", serialPrefix: null },
  { vendorId: "10c4", productId: "ea60", manufacturer: "Silicon Labs", product: "CP2102 USB to UART Bridge Controller", deviceClass: "00", speed: "12", serialPrefix: "0001" },
  { vendorId: "1a86", productId: "7523", manufacturer: "QinHeng Electronics", product: "USB Serial", deviceClass: "ff", speed: "12", serialPrefix: null },
  { vendorId: "0483", productId: "3748", manufacturer: "STMicroelectronics", product: "ST-LINK/V2", deviceClass: "00", speed: "12", serialPrefix: "55FF6B06" },
  { vendorId: "0483", productId: "374b", manufacturer: "STMicroelectronics", product: "STM32 STLink", deviceClass: "ef", speed: "12", serialPrefix: "0668FF3" },
  { vendorId: "1366", productId: "0105", manufacturer: "SEGGER", product: "J-Link", deviceClass: "ef", speed: "480", serialPrefix: "000260" },
  { vendorId: "0d28", productId: "0204", manufacturer: "ARM", product: "DAPLink CMSIS-DAP", deviceClass: "ef", speed: "12", serialPrefix: "0240000" },
  { vendorId: "03eb", productId: "2141", manufacturer: "Atmel Corp.", product: "Atmel-ICE CMSIS-DAP", deviceClass: "ef", speed: "12", serialPrefix: "J4180" },
  { vendorId: "0529", productId: "0001", manufacturer: "Aladdin Knowledge Systems", product: "HASP HL 3.25", deviceClass: "ff", speed: "1.5", serialPrefix: null },
  { vendorId: "096e", productId: "0006", manufacturer: "Feitian Technologies", product: "ePass2003", deviceClass: "00", speed: "12", serialPrefix: "2B0F" },
  { vendorId: "1bc0", productId: "8101", manufacturer: "SenseShield", product: "Elite5 Dongle", deviceClass: "03", speed: "12", serialPrefix: "SS9" },
  { vendorId: "04e8", productId: "6860", manufacturer: "SAMSUNG", product: "Galaxy S23", deviceClass: "00", speed: "480", serialPrefix: "R5CW" },
  { vendorId: "18d1", productId: "4ee7", manufacturer: "Google", product: "Pixel 8", deviceClass: "00", speed: "480", serialPrefix: "3A1" },
  { vendorId: "05ac", productId: "12a8", manufacturer: "Apple Inc.", product: "iPhone", deviceClass: "00", speed: "480", serialPrefix: "00008110" },
  { vendorId: "2717", productId: "ff48", manufacturer: "Xiaomi", product: "Redmi Note 12", deviceClass: "00", speed: "480", serialPrefix: "b2f" },
  { vendorId: "1d50", productId: "6089", manufacturer: "Great Scott Gadgets", product: "HackRF One", deviceClass: "00", speed: "480", serialPrefix: "0000000000000000" },
  { vendorId: "0bda", productId: "2838", manufacturer: "Realtek", product: "RTL2838UHIDIR", deviceClass: "00", speed: "480", serialPrefix: "000000" },
  { vendorId: "2341", productId: "0043", manufacturer: "Arduino (www.arduino.cc)", product: "Arduino Uno", deviceClass: "02", speed: "12", serialPrefix: "95730333" },
  { vendorId: "2e8a", productId: "0005", manufacturer: "Raspberry Pi", product: "Pico", deviceClass: "ef", speed: "12", serialPrefix: "E6614" },
  { vendorId: "0781", productId: "5567", manufacturer: "SanDisk", product: "Cruzer Blade", deviceClass: "00", speed: "480", serialPrefix: "4C5300" },
  { vendorId: "1050", productId: "0407", manufacturer: "Yubico", product: "YubiKey OTP+FIDO+CCID", deviceClass: "00", speed: "12", serialPrefix: null },
  { vendorId: "0c2e", productId: "0b61", manufacturer: "Honeywell", product: "Vuquest 3320g", deviceClass: "00", speed: "12", serialPrefix: "18055B" }
]

export interface DemoSlave {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
}

export const demoSlaves: ReadonlyArray<DemoSlave> = [
  { name: "lab-sh-01", labels: { site: "上海", room: "B203" } },
  { name: "lab-sh-02", labels: { site: "上海", room: "B205" } },
  { name: "lab-sz-01", labels: { site: "深圳", room: "A1" } },
  { name: "lab-bj-01", labels: { site: "北京", room: "3F" } }
]

/** A deterministic pseudo-random sequence, so demo data is the same on every run. */
export const seededRandom = (seed: number) => {
  // spread nearby seeds apart (Knuth's multiplicative hash) so slave 1 and slave 2 differ
  let state = Math.imul(seed >>> 0, 2654435761) >>> 0 || 1
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
}

export interface DemoDevice extends DemoDeviceModel {
  readonly serial: string | null
  readonly busPath: string
}

/** `count` devices for one slave: models picked deterministically, serials and ports unique. */
export const demoDevicesFor = (slaveIndex: number, count: number): ReadonlyArray<DemoDevice> => {
  const random = seededRandom(1000 + slaveIndex)
  return Array.from({ length: count }, (_, index) => {
    const model = demoDeviceModels[Math.floor(random() * demoDeviceModels.length)]!
    const serial =
      model.serialPrefix === null
        ? null
        : `${model.serialPrefix}${(slaveIndex * 1000 + index).toString(16).toUpperCase().padStart(6, "0")}`
    return { ...model, serial, busPath: `1-1.${index + 1}` }
  })
}
