/// A small Dutch chart of accounts with the usual payroll accounts, for an administration that
/// has none yet. RGS codes are given only at the level we are sure of.
public enum StarterChart {
    public static let accounts: [ChartAccount] = [
        ChartAccount(number: "1000", name: "Kas", type: .balance, rgsCode: "BLimKas"),
        ChartAccount(number: "1100", name: "Bank", type: .balance, rgsCode: "BLimBan"),
        ChartAccount(number: "1300", name: "Debiteuren", type: .balance, rgsCode: "BVorDeb"),
        ChartAccount(number: "1600", name: "Crediteuren", type: .balance, rgsCode: "BSchCre"),
        ChartAccount(number: "1700", name: "Af te dragen loonheffingen", type: .balance),
        ChartAccount(number: "1710", name: "Te betalen nettolonen", type: .balance),
        ChartAccount(number: "1720", name: "Reservering vakantiegeld", type: .balance),
        ChartAccount(number: "1725", name: "Reservering eindejaarsuitkering", type: .balance),
        ChartAccount(number: "1730", name: "Pensioenpremies te betalen", type: .balance),
        ChartAccount(number: "1740", name: "Loonbeslag en overige inhoudingen te betalen", type: .balance),
        ChartAccount(number: "2000", name: "Tussenrekening lonen", type: .balance),
        ChartAccount(number: "2010", name: "Vraagposten", type: .balance),
        ChartAccount(number: "4000", name: "Lonen en salarissen", type: .profitAndLoss, rgsCode: "WPerLes"),
        ChartAccount(number: "4010", name: "Vakantiegeld", type: .profitAndLoss),
        ChartAccount(number: "4020", name: "Eindejaarsuitkering", type: .profitAndLoss),
        ChartAccount(number: "4030", name: "Overwerk en toeslagen", type: .profitAndLoss),
        ChartAccount(number: "4100", name: "Sociale lasten", type: .profitAndLoss, rgsCode: "WPerSol"),
        ChartAccount(number: "4110", name: "Werkgeversheffing Zvw", type: .profitAndLoss),
        ChartAccount(number: "4200", name: "Pensioenlasten", type: .profitAndLoss, rgsCode: "WPerPen"),
        ChartAccount(number: "4300", name: "Reiskostenvergoeding", type: .profitAndLoss),
        ChartAccount(number: "4310", name: "Onbelaste vergoedingen", type: .profitAndLoss),
        ChartAccount(number: "4320", name: "Eindheffing werkkostenregeling", type: .profitAndLoss),
        ChartAccount(number: "4400", name: "Ontvangen ziekengeld en loonkostensubsidies", type: .profitAndLoss),
        ChartAccount(number: "4900", name: "Overige personeelskosten", type: .profitAndLoss),
        ChartAccount(number: "4990", name: "Afrondingsverschillen loonheffingen", type: .profitAndLoss),
        ChartAccount(number: "8000", name: "Omzet", type: .profitAndLoss),
    ]
}
