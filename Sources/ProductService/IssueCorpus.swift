// The labelled data set the issue classifier is trained and evaluated on: short return reasons and feedback
// texts as customers write them, in Chinese and English, one example per line as `CATEGORY<TAB>text`.
// Written for this service (not scraped); ~45 per category, about half in each language. Embedded as a string
// literal because the ProductService target declares no SwiftPM resources.

/// The shipped corpus (see ``IssueCorpus/examples``).
public enum IssueCorpus {
    /// `(category name without the ISSUE_CATEGORY_ prefix, text)` for every line of ``tsv``.
    public static var examples: [(category: String, text: String)] {
        tsv.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), String(parts[1]))
        }
    }

    static let tsv = """
SIZE_FIT\tThe shoes are too small, I need one size bigger
SIZE_FIT\tJacket is too tight across the shoulders
SIZE_FIT\tRuns small, order a size up
SIZE_FIT\tThe dress is way too big on me
SIZE_FIT\tSleeves are too long for my arms
SIZE_FIT\tDoesn't fit, the waist is too narrow
SIZE_FIT\tThe jeans are too short in the leg
SIZE_FIT\tToo loose around the waist even with a belt
SIZE_FIT\tSize chart was misleading, the medium fits like a small
SIZE_FIT\tThese boots pinch my toes, need a wider fit
SIZE_FIT\tThe shirt is too tight around the neck
SIZE_FIT\tI usually wear a 42 but these feel like a 40
SIZE_FIT\tThe trousers are too baggy, I need a smaller size
SIZE_FIT\tToo small for my kid, need the next size
SIZE_FIT\tThe ring size is wrong for my finger, too loose
SIZE_FIT\tRuns large, the hoodie hangs off me
SIZE_FIT\tCould not get my foot into the sneakers, too narrow
SIZE_FIT\tFit is off, the coat is tight at the chest
SIZE_FIT\tWould like to exchange for a larger size
SIZE_FIT\tThe bra cup size does not fit properly
SIZE_FIT\tShorts are too tight on the thighs
SIZE_FIT\tHeel slips out, the shoe is half a size too big
SIZE_FIT\t鞋子偏小，要换大一码
SIZE_FIT\t衣服太紧了，穿不上
SIZE_FIT\t尺码偏大，想换小一号
SIZE_FIT\t裤子太长了，需要短一点的
SIZE_FIT\t袖子太短，不合身
SIZE_FIT\t腰围太小，扣不上
SIZE_FIT\t按尺码表买的还是偏小
SIZE_FIT\t鞋码不合适，挤脚
SIZE_FIT\t外套肩膀太窄，穿着很紧
SIZE_FIT\t码数偏大一码，穿着松垮
SIZE_FIT\t孩子穿太小了，想换大码
SIZE_FIT\t裙子太肥了，不合身
SIZE_FIT\t裤腿太短，换个长一点的尺码
SIZE_FIT\t平时穿M码，这件M码太紧
SIZE_FIT\t鞋子太大，走路掉跟
SIZE_FIT\t领口太紧，勒脖子
SIZE_FIT\t大小不合适，想换尺码
SIZE_FIT\t胸围偏小，穿不进去
SIZE_FIT\t鞋楦太窄，脚宽穿不了
SIZE_FIT\t尺寸偏小半码，脚趾顶着
SIZE_FIT\t上身太宽松了，要小一号
SIZE_FIT\t戒指圈口太大，戴着会掉
SIZE_FIT\t这条牛仔裤腰太大
DEFECT\tThe phone won't turn on at all
DEFECT\tStopped working after two days
DEFECT\tHeadphones only play sound in the left ear
DEFECT\tThe charger does not charge the battery
DEFECT\tScreen has dead pixels and flickers
DEFECT\tBlender motor makes a grinding noise and stops
DEFECT\tThe zipper is broken and will not close
DEFECT\tThe laptop keyboard has keys that don't respond
DEFECT\tBattery drains in an hour, it is faulty
DEFECT\tThe kettle leaks water from the bottom
DEFECT\tBluetooth keeps disconnecting, the device is defective
DEFECT\tThe watch stopped and will not reset
DEFECT\tTouchscreen is unresponsive in the corner
DEFECT\tThe lamp flickers and then goes dark
DEFECT\tThe camera shows an error and won't take pictures
DEFECT\tMicrophone does not work on calls
DEFECT\tThe fan makes a loud rattling noise and does not spin
DEFECT\tThe speaker crackles and cuts out
DEFECT\tPower button is stuck, the unit is faulty
DEFECT\tThe hair dryer overheats and shuts off
DEFECT\tThe remote control does not pair with the TV
DEFECT\tThe buckle on the strap is broken and cannot lock
DEFECT\t手机开不了机
DEFECT\t用了两天就坏了，不能用
DEFECT\t耳机左边没有声音
DEFECT\t充电器充不进电
DEFECT\t屏幕有坏点，还会闪屏
DEFECT\t电机有异响，转不动
DEFECT\t拉链坏了拉不上
DEFECT\t键盘有几个键失灵
DEFECT\t电池不耐用，一小时就没电，质量有故障
DEFECT\t烧水壶底部漏水
DEFECT\t蓝牙连接不上，老是断开
DEFECT\t手表不走了
DEFECT\t触摸屏失灵，点了没反应
DEFECT\t台灯一闪一闪然后就不亮了
DEFECT\t相机报错，无法拍照
DEFECT\t麦克风坏了，通话对方听不到
DEFECT\t风扇不转，还有异响
DEFECT\t音箱有杂音，时断时续
DEFECT\t开关按键卡住了，机器故障
DEFECT\t吹风机过热自动断电
DEFECT\t遥控器无法配对
DEFECT\t收到就是坏的，通电没反应
DEFECT\t功能失灵，无法正常使用
DAMAGED_IN_TRANSIT\tThe box arrived crushed and the vase was shattered
DAMAGED_IN_TRANSIT\tPackage was soaking wet and the book pages are ruined
DAMAGED_IN_TRANSIT\tThe courier dropped it, the corner is dented
DAMAGED_IN_TRANSIT\tGlass was broken into pieces when I opened the parcel
DAMAGED_IN_TRANSIT\tThe parcel was torn open and the item scratched
DAMAGED_IN_TRANSIT\tMonitor screen cracked during shipping
DAMAGED_IN_TRANSIT\tThe outer carton was smashed and the bottle leaked
DAMAGED_IN_TRANSIT\tArrived with a big dent from the delivery
DAMAGED_IN_TRANSIT\tPoorly packed, the plates broke in transit
DAMAGED_IN_TRANSIT\tThe package was crushed by the carrier
DAMAGED_IN_TRANSIT\tDelivery damaged the frame, the glass is cracked
DAMAGED_IN_TRANSIT\tThe shampoo bottle burst in the parcel and soaked everything
DAMAGED_IN_TRANSIT\tThe box was damaged in shipping and the legs of the chair are bent
DAMAGED_IN_TRANSIT\tParcel arrived open with the contents crushed
DAMAGED_IN_TRANSIT\tThe mirror was shattered on arrival, the box had a hole
DAMAGED_IN_TRANSIT\tThe courier threw the parcel and the lid cracked
DAMAGED_IN_TRANSIT\tRain got into the package and the cardboard was soggy
DAMAGED_IN_TRANSIT\tThe cake tin was bent, the packaging was crushed
DAMAGED_IN_TRANSIT\tShipping damage, the corner of the table is chipped
DAMAGED_IN_TRANSIT\tThe mug was broken in the box, no bubble wrap
DAMAGED_IN_TRANSIT\tThe package looked run over, the item inside is cracked
DAMAGED_IN_TRANSIT\tTransport damage, the lamp shade is crushed
DAMAGED_IN_TRANSIT\t快递盒子被压扁了，花瓶碎了
DAMAGED_IN_TRANSIT\t包裹被雨淋湿，书都泡坏了
DAMAGED_IN_TRANSIT\t快递摔了，外壳磕坏一个角
DAMAGED_IN_TRANSIT\t打开包裹玻璃已经碎了
DAMAGED_IN_TRANSIT\t外包装破损，商品有划痕
DAMAGED_IN_TRANSIT\t运输过程中屏幕压裂了
DAMAGED_IN_TRANSIT\t纸箱被压坏，瓶子漏液了
DAMAGED_IN_TRANSIT\t物流暴力运输，盒子凹进去一大块
DAMAGED_IN_TRANSIT\t包装太简陋，盘子在路上摔碎了
DAMAGED_IN_TRANSIT\t快递员扔件，东西摔坏了
DAMAGED_IN_TRANSIT\t收到时相框玻璃破裂
DAMAGED_IN_TRANSIT\t洗发水在快递里爆了，漏得到处都是
DAMAGED_IN_TRANSIT\t箱子破了，椅子腿被压弯
DAMAGED_IN_TRANSIT\t包裹破开，里面东西被压碎
DAMAGED_IN_TRANSIT\t镜子运输途中碎了，箱子破了个洞
DAMAGED_IN_TRANSIT\t快递外箱湿透了，里面受潮
DAMAGED_IN_TRANSIT\t物流把箱子压变形了
DAMAGED_IN_TRANSIT\t运输损坏，桌角磕掉一块
DAMAGED_IN_TRANSIT\t杯子在箱子里碎了，没有泡沫保护
DAMAGED_IN_TRANSIT\t快递破损严重，商品摔裂
DAMAGED_IN_TRANSIT\t送货时被摔，灯罩压瘪了
DAMAGED_IN_TRANSIT\t到货时外箱破损，里面的碗碎了
NOT_AS_DESCRIBED\tThe colour is completely different from the photos
NOT_AS_DESCRIBED\tListing said 100% cotton but it is polyester
NOT_AS_DESCRIBED\tThe description promised waterproof but it is not
NOT_AS_DESCRIBED\tLooks nothing like the picture on the website
NOT_AS_DESCRIBED\tAdvertised as leather, it is clearly plastic
NOT_AS_DESCRIBED\tThe capacity is 64GB, not 128GB as listed
NOT_AS_DESCRIBED\tProduct page said it includes a case, it doesn't
NOT_AS_DESCRIBED\tThe pattern differs from the product images
NOT_AS_DESCRIBED\tIt is a counterfeit, not the genuine brand described
NOT_AS_DESCRIBED\tThe specs do not match the description, lower resolution
NOT_AS_DESCRIBED\tThe shade of the lipstick is not the one shown online
NOT_AS_DESCRIBED\tDescription said solid wood, it is particle board
NOT_AS_DESCRIBED\tMuch thinner fabric than described in the listing
NOT_AS_DESCRIBED\tThe features listed are missing, no noise cancelling
NOT_AS_DESCRIBED\tThe book is an abridged edition, the listing said complete
NOT_AS_DESCRIBED\tColour in reality is dark grey, pictured as blue
NOT_AS_DESCRIBED\tNot the model shown in the photos
NOT_AS_DESCRIBED\tClaimed to be stainless steel but it rusts, misleading description
NOT_AS_DESCRIBED\tThe picture shows two pieces but only one is included as per listing text
NOT_AS_DESCRIBED\tMisleading listing, the material is not as advertised
NOT_AS_DESCRIBED\tThe scent is nothing like the description
NOT_AS_DESCRIBED\tThe actual product differs from the description
NOT_AS_DESCRIBED\t颜色和图片完全不一样
NOT_AS_DESCRIBED\t详情页写纯棉，实际是涤纶
NOT_AS_DESCRIBED\t说是防水的，其实一点都不防水
NOT_AS_DESCRIBED\t实物和图片差距太大
NOT_AS_DESCRIBED\t宣传是真皮，收到是人造革
NOT_AS_DESCRIBED\t标的128G，实际只有64G
NOT_AS_DESCRIBED\t页面说送保护壳，实际没有
NOT_AS_DESCRIBED\t花色和商品图不符
NOT_AS_DESCRIBED\t是假货，不是描述的正品
NOT_AS_DESCRIBED\t参数和描述不符，分辨率低
NOT_AS_DESCRIBED\t口红色号和网上展示的不一样
NOT_AS_DESCRIBED\t描述是实木，收到是密度板
NOT_AS_DESCRIBED\t面料比描述的薄很多
NOT_AS_DESCRIBED\t宣传的降噪功能根本没有
NOT_AS_DESCRIBED\t说是完整版，收到是删节版
NOT_AS_DESCRIBED\t实物是深灰色，图片是蓝色
NOT_AS_DESCRIBED\t型号和图片上的不一样
NOT_AS_DESCRIBED\t说是不锈钢，结果生锈了，虚假宣传
NOT_AS_DESCRIBED\t与描述不符，材质不对
NOT_AS_DESCRIBED\t味道和介绍的完全不同
NOT_AS_DESCRIBED\t货不对板，和详情页描述差太多
NOT_AS_DESCRIBED\t图文不符，实物很廉价
NOT_AS_DESCRIBED\t商品描述夸大，实际没有这个功能
WRONG_ITEM\tI ordered black but received a white one
WRONG_ITEM\tReceived a completely different product from what I ordered
WRONG_ITEM\tSent the wrong size, I ordered M and got XL
WRONG_ITEM\tThis is not my order, somebody else's item was in the box
WRONG_ITEM\tGot a phone case for the wrong model
WRONG_ITEM\tYou sent me the wrong book title
WRONG_ITEM\tThe package contained a different colour than the one I selected
WRONG_ITEM\tWrong item shipped, I ordered a kettle and received a toaster
WRONG_ITEM\tReceived the left shoe twice, not a pair
WRONG_ITEM\tMy order was mixed up with another customer's
WRONG_ITEM\tI received the US plug version instead of the EU one I ordered
WRONG_ITEM\tWrong flavour sent, I picked vanilla
WRONG_ITEM\tThe SKU on the box is not the one on my order
WRONG_ITEM\tThey shipped the 2-pack instead of the 6-pack I paid for
WRONG_ITEM\tReceived a men's jacket though I ordered women's
WRONG_ITEM\tIncorrect item delivered, different brand entirely
WRONG_ITEM\tThe parcel had a charger instead of the headphones
WRONG_ITEM\tSent the older model, not the one I ordered
WRONG_ITEM\tWrong colour and wrong size were sent
WRONG_ITEM\tI got someone else's order
WRONG_ITEM\tThe item in the box does not match my order confirmation
WRONG_ITEM\tMisdelivered product, ordered a blue mug and got green plates
WRONG_ITEM\t我买的黑色，发来的是白色
WRONG_ITEM\t收到的商品和我下单的完全不一样
WRONG_ITEM\t发错尺码了，我拍的M码收到XL
WRONG_ITEM\t这不是我的订单，箱子里是别人的东西
WRONG_ITEM\t手机壳型号发错了
WRONG_ITEM\t书发错了，不是我买的那本
WRONG_ITEM\t颜色发错了，和我选的不一样
WRONG_ITEM\t发错货了，买的水壶收到面包机
WRONG_ITEM\t收到两只左脚的鞋
WRONG_ITEM\t订单被搞混了，收到别人的货
WRONG_ITEM\t我买的欧规插头，发来的是美规
WRONG_ITEM\t口味发错了，我选的是香草味
WRONG_ITEM\t盒子上的货号和订单不一致
WRONG_ITEM\t我付的是六件装，只发了两件装
WRONG_ITEM\t下单女款，收到男款
WRONG_ITEM\t发来的是另一个牌子的
WRONG_ITEM\t包裹里是充电器，不是我买的耳机
WRONG_ITEM\t发的是旧款，不是我下单的新款
WRONG_ITEM\t颜色和尺码都发错了
WRONG_ITEM\t商家发错货，请重新发我买的那款
WRONG_ITEM\t收到的货和订单信息不符，发错了
WRONG_ITEM\t买的蓝色杯子，寄来的是绿色盘子
WRONG_ITEM\t仓库发错商品了
LATE_DELIVERY\tThe parcel arrived two weeks late
LATE_DELIVERY\tDelivery took far too long, I needed it for the weekend
LATE_DELIVERY\tStill waiting, the package is a week overdue
LATE_DELIVERY\tIt came after the birthday, too late to use
LATE_DELIVERY\tShipping was delayed with no updates
LATE_DELIVERY\tPromised next day delivery, took ten days
LATE_DELIVERY\tThe tracking has not moved for days, very slow shipping
LATE_DELIVERY\tArrived after the event I bought it for
LATE_DELIVERY\tDispatch was delayed by a week
LATE_DELIVERY\tThe estimated delivery date passed long ago
LATE_DELIVERY\tSlow delivery, the courier kept postponing
LATE_DELIVERY\tIt took a month to arrive
LATE_DELIVERY\tLate delivery ruined my holiday plans
LATE_DELIVERY\tThe seller shipped late, missed the deadline
LATE_DELIVERY\tDelivery was rescheduled three times
LATE_DELIVERY\tPackage stuck in customs for weeks, arrived too late
LATE_DELIVERY\tThe gift arrived after Christmas
LATE_DELIVERY\tExpress shipping but it was delayed for days
LATE_DELIVERY\tThe order shipped a week after payment
LATE_DELIVERY\tWaited forever for this delivery
LATE_DELIVERY\tToo late, I already bought one elsewhere because it never came on time
LATE_DELIVERY\tDelivered way past the promised date
LATE_DELIVERY\t快递太慢了，晚了两个星期才到
LATE_DELIVERY\t物流太慢，周末要用结果没到
LATE_DELIVERY\t超时一周还没收到
LATE_DELIVERY\t生日过了才送到，已经没用了
LATE_DELIVERY\t发货延迟，也没有物流更新
LATE_DELIVERY\t承诺次日达，结果十天才到
LATE_DELIVERY\t物流好几天不动，太慢了
LATE_DELIVERY\t活动结束了才到货
LATE_DELIVERY\t拖了一个星期才发货
LATE_DELIVERY\t预计送达时间早就过了
LATE_DELIVERY\t快递一直拖延派送
LATE_DELIVERY\t一个月才收到货
LATE_DELIVERY\t送货太晚，耽误了假期安排
LATE_DELIVERY\t商家发货晚，错过了时间
LATE_DELIVERY\t派送改期三次
LATE_DELIVERY\t海关卡了几周，到的太晚了
LATE_DELIVERY\t礼物圣诞节之后才到
LATE_DELIVERY\t加急快递还延误了好几天
LATE_DELIVERY\t付款一周后才发货
LATE_DELIVERY\t等了好久才到货
LATE_DELIVERY\t迟迟不发货，等不及了
LATE_DELIVERY\t超过承诺的送达时间很久
LATE_DELIVERY\t物流延误，到货太迟
CHANGED_MIND\tI no longer need it
CHANGED_MIND\tFound it cheaper somewhere else
CHANGED_MIND\tBought it by mistake
CHANGED_MIND\tChanged my mind, I don't want it anymore
CHANGED_MIND\tOrdered two by accident, returning one
CHANGED_MIND\tI don't like the style after all
CHANGED_MIND\tDecided to go with a different model
CHANGED_MIND\tGift recipient already has one
CHANGED_MIND\tNot needed any more, plans changed
CHANGED_MIND\tI prefer the other colour now that I think about it
CHANGED_MIND\tImpulse purchase, want to return it unused
CHANGED_MIND\tMy partner bought the same thing
CHANGED_MIND\tThe price dropped after I bought it, returning to rebuy
CHANGED_MIND\tJust don't like it, nothing wrong with it
CHANGED_MIND\tI ordered the wrong one myself, my mistake
CHANGED_MIND\tNo longer want it, unopened
CHANGED_MIND\tOn second thought this isn't for me
CHANGED_MIND\tDuplicate order, I placed it twice
CHANGED_MIND\tNot what I want anymore
CHANGED_MIND\tReturning because I have too many already
CHANGED_MIND\tI bought a better one elsewhere
CHANGED_MIND\tRegret buying it, want my money back
CHANGED_MIND\t不想要了
CHANGED_MIND\t别家更便宜
CHANGED_MIND\t拍错了
CHANGED_MIND\t改主意了，不需要了
CHANGED_MIND\t不小心买了两个，退一个
CHANGED_MIND\t买回来觉得款式不喜欢
CHANGED_MIND\t决定换别的型号了
CHANGED_MIND\t送礼的人已经有了
CHANGED_MIND\t计划有变，用不上了
CHANGED_MIND\t想了想还是喜欢另一个颜色
CHANGED_MIND\t冲动消费，未拆封想退
CHANGED_MIND\t家里人买了一样的
CHANGED_MIND\t买完就降价了，退了重新买
CHANGED_MIND\t东西没问题，就是不喜欢
CHANGED_MIND\t自己拍错了型号
CHANGED_MIND\t七天无理由退货，未拆封
CHANGED_MIND\t仔细想想不适合我
CHANGED_MIND\t重复下单了
CHANGED_MIND\t不需要了，想退款
CHANGED_MIND\t家里已经有很多了
CHANGED_MIND\t在别处买了更好的
CHANGED_MIND\t后悔买了，想退钱
CHANGED_MIND\t多拍了一件，无理由退货
QUALITY\tThe fabric started pilling after one wash
QUALITY\tColour faded badly after washing
QUALITY\tThe stitching is coming apart already
QUALITY\tFeels cheap and flimsy
QUALITY\tPoor workmanship, loose threads everywhere
QUALITY\tThe sole started peeling off after a week
QUALITY\tStrong chemical smell that won't go away
QUALITY\tThe paint is chipping off after light use
QUALITY\tMaterial is thin and see-through, low quality
QUALITY\tThe handle feels wobbly, poorly made
QUALITY\tShrank a lot in the first wash
QUALITY\tThe leather is cracking after a month
QUALITY\tThe plastic feels brittle and cheap
QUALITY\tUneven glue marks all over the shoes
QUALITY\tThe print is blurry and rubbed off
QUALITY\tThe seams are crooked, bad quality control
QUALITY\tRough edges, sloppy finish
QUALITY\tThe cream caused a rash, low grade ingredients
QUALITY\tThe pages fell out of the binding
QUALITY\tQuality is much worse than the price suggests
QUALITY\tThe sweater lost its shape after wearing twice
QUALITY\tCheap materials, it will not last
QUALITY\t衣服洗一次就起球了
QUALITY\t洗完严重掉色
QUALITY\t线头很多，开线了
QUALITY\t做工粗糙，很廉价
QUALITY\t手感很差，质量一般
QUALITY\t穿了一周鞋底就开胶了
QUALITY\t有很重的刺鼻异味，散不掉
QUALITY\t用了没多久就掉漆
QUALITY\t面料很薄还透，质量差
QUALITY\t把手松动，做工差
QUALITY\t洗一次就缩水了
QUALITY\t皮面一个月就开裂了
QUALITY\t塑料很脆，质感廉价
QUALITY\t鞋子上到处是胶水印
QUALITY\t印花模糊，一搓就掉
QUALITY\t走线歪歪扭扭，品控太差
QUALITY\t边角毛糙，做工不精细
QUALITY\t用了面霜过敏起疹子，成分差
QUALITY\t书的装订不好，页掉了
QUALITY\t质量配不上这个价格
QUALITY\t毛衣穿两次就变形了
QUALITY\t材质太差，用不久
QUALITY\t质量太差了，和便宜货一样
OTHER\tPlease send me an invoice for this order
OTHER\tCustomer service was rude to me on the phone
OTHER\tThe coupon code was not applied at checkout
OTHER\tI was charged twice for the same order
OTHER\tHow do I register the warranty?
OTHER\tCan I change the delivery address?
OTHER\tThe gift message was missing
OTHER\tI want to cancel my membership
OTHER\tThe website kept logging me out during payment
OTHER\tNobody answered my emails for a week
OTHER\tI need the user manual in another language
OTHER\tThe loyalty points were not added to my account
OTHER\tQuestion about installation service availability
OTHER\tPlease update my phone number on the account
OTHER\tThe receipt shows the wrong company name
OTHER\tI would like to leave a general comment about the app
OTHER\tCan you tell me when the next sale is?
OTHER\tThe promotion price was not honoured
OTHER\tI need a VAT invoice with my tax number
OTHER\tThe live chat agent closed the conversation
OTHER\tWhere can I download the driver software?
OTHER\tMy account was blocked without reason
OTHER\t请帮我开一张发票
OTHER\t客服态度很差
OTHER\t优惠券没有用上
OTHER\t同一个订单被扣了两次钱
OTHER\t怎么登记保修？
OTHER\t能改一下收货地址吗
OTHER\t贺卡留言没有写
OTHER\t我想取消会员
OTHER\t付款的时候网站一直退出登录
OTHER\t发邮件一个星期没人回复
OTHER\t需要其他语言的说明书
OTHER\t积分没有到账
OTHER\t请问有没有上门安装服务
OTHER\t请帮我修改账户手机号
OTHER\t收据上公司名称写错了
OTHER\t对你们的应用提点建议
OTHER\t下次促销是什么时候
OTHER\t活动价没有生效
OTHER\t需要开增值税专用发票，附税号
OTHER\t在线客服直接关闭了对话
OTHER\t驱动软件在哪里下载
OTHER\t账号莫名其妙被封了
OTHER\t想咨询一下会员权益
SIZE_FIT\tToo small, please exchange for a larger size
SIZE_FIT\tThe size is too big, I want a smaller one
SIZE_FIT\tDoesn't fit me, too tight
SIZE_FIT\tWrong size for me, it is too loose
SIZE_FIT\tThese pants are too small in the waist
SIZE_FIT\tThe fit is too tight around the hips
SIZE_FIT\tSizing runs small, the large is more like a medium
SIZE_FIT\tWay too big, it fits like two sizes up
SIZE_FIT\tThe shoes are half a size too small and hurt my feet
SIZE_FIT\tI need a bigger size, the shirt is tight on the arms
SIZE_FIT\tToo long in the body and too wide
SIZE_FIT\tThe collar does not fit, too small
SIZE_FIT\tSize 38 is too narrow for my feet
SIZE_FIT\tUncomfortable fit, too short in the torso
SIZE_FIT\tThe gloves are too small for my hands
SIZE_FIT\tFits too tight, I can barely button it
SIZE_FIT\tThe helmet is too big for my head
SIZE_FIT\tThe belt is too short to fasten
SIZE_FIT\tThe cut is too slim for me
SIZE_FIT\tToo big, swap for size S please
SIZE_FIT\t衣服偏大，换小一码
SIZE_FIT\t鞋子小了一码，穿着夹脚
SIZE_FIT\t太紧了，要大一号
SIZE_FIT\t裤子腰太紧，换大码
SIZE_FIT\t尺码不对，偏小两码
SIZE_FIT\t号码偏大，穿着不合身
SIZE_FIT\t衣长太短，不合适
SIZE_FIT\t鞋子大了半码，走路不跟脚
SIZE_FIT\t买的L码太小了
SIZE_FIT\t肩宽不合适，偏窄
SIZE_FIT\t手套太小戴不进去
SIZE_FIT\t头盔尺寸太大
SIZE_FIT\t皮带太短扣不上
SIZE_FIT\t版型太修身，穿着紧
SIZE_FIT\t尺码偏小，建议拍大一码
DEFECT\tIt doesn't work at all
DEFECT\tBroken, it will not power on
DEFECT\tFaulty unit, it keeps restarting
DEFECT\tDoes not charge, the port is broken
DEFECT\tThe device is defective, the screen stays black
DEFECT\tStopped working after a week of normal use
DEFECT\tWon't connect to wifi, seems faulty
DEFECT\tThe printer jams on every page and shows an error
DEFECT\tOne of the earbuds does not work
DEFECT\tThe battery is dead and will not hold a charge
DEFECT\tThe vacuum cleaner has no suction, the motor is broken
DEFECT\tThe mouse scroll wheel doesn't work
DEFECT\tThe oven does not heat up
DEFECT\tToaster does not pop up, the lever is broken
DEFECT\tThe drill stops randomly, defective motor
DEFECT\tKeys on the piano keyboard make no sound
DEFECT\tThe thermostat display is dead
DEFECT\tPhone freezes and reboots constantly
DEFECT\tThe electric toothbrush will not turn on
DEFECT\tThe lock does not open with the key, mechanism broken
DEFECT\t坏了，不能用
DEFECT\t不能开机，按了没反应
DEFECT\t一直重启，机器故障
DEFECT\t充不了电，接口坏了
DEFECT\t屏幕黑屏不亮
DEFECT\t正常使用一周就坏了
DEFECT\t连不上无线网络，故障
DEFECT\t打印机一直卡纸报错
DEFECT\t一只耳机没声音
DEFECT\t电池坏了，充不进电
DEFECT\t吸尘器没有吸力，电机坏了
DEFECT\t鼠标滚轮失灵
DEFECT\t烤箱不加热
DEFECT\t电动牙刷开不了机
DEFECT\t手机死机，经常自动重启
DAMAGED_IN_TRANSIT\tThe package arrived damaged and the item is broken
DAMAGED_IN_TRANSIT\tArrived broken, the box was crushed in shipping
DAMAGED_IN_TRANSIT\tThe courier damaged the parcel
DAMAGED_IN_TRANSIT\tShipping box was dented and the product inside is scratched
DAMAGED_IN_TRANSIT\tBroken in transit, glass everywhere in the box
DAMAGED_IN_TRANSIT\tThe parcel was wet and the item is water damaged
DAMAGED_IN_TRANSIT\tDamaged during delivery, the screen is cracked
DAMAGED_IN_TRANSIT\tThe packaging was torn and the bottle leaked in transit
DAMAGED_IN_TRANSIT\tBox crushed, vase cracked
DAMAGED_IN_TRANSIT\tThe delivery driver dropped the box, now it rattles
DAMAGED_IN_TRANSIT\tThe parcel was squashed and the lid is broken
DAMAGED_IN_TRANSIT\tArrived smashed because of bad packaging
DAMAGED_IN_TRANSIT\tItem arrived dented, the box had clearly been dropped
DAMAGED_IN_TRANSIT\tTransit damage, the ceramic bowl is chipped
DAMAGED_IN_TRANSIT\tThe carton was crushed and the TV panel cracked
DAMAGED_IN_TRANSIT\tDelivered broken, shipping was rough
DAMAGED_IN_TRANSIT\tThe box was soaked and the contents damaged
DAMAGED_IN_TRANSIT\tDamaged parcel, the frame arrived in pieces
DAMAGED_IN_TRANSIT\tThe glass bottle broke inside the parcel
DAMAGED_IN_TRANSIT\tCrushed box and bent item on arrival
DAMAGED_IN_TRANSIT\t快递破损，东西坏了
DAMAGED_IN_TRANSIT\tThe carrier left the parcel in the rain and the box fell apart
DAMAGED_IN_TRANSIT\t收到时箱子压坏了，里面碎了
DAMAGED_IN_TRANSIT\t快递把东西摔坏了
DAMAGED_IN_TRANSIT\t外箱凹陷，商品有划痕
DAMAGED_IN_TRANSIT\t运输途中摔碎了，箱子里全是玻璃渣
DAMAGED_IN_TRANSIT\t包裹湿了，东西泡水了
DAMAGED_IN_TRANSIT\t送货途中屏幕摔裂
DAMAGED_IN_TRANSIT\t外包装破了，瓶子漏了
DAMAGED_IN_TRANSIT\t箱子被压扁，花瓶裂了
DAMAGED_IN_TRANSIT\t快递员把箱子摔了，里面有响声
DAMAGED_IN_TRANSIT\t包装简陋，运输中压坏了
DAMAGED_IN_TRANSIT\t到货就碎了，物流太暴力
DAMAGED_IN_TRANSIT\t快递箱湿透，商品受损
DAMAGED_IN_TRANSIT\t陶瓷碗运输时磕破了
DAMAGED_IN_TRANSIT\t纸箱压坏，电视屏幕裂了
NOT_AS_DESCRIBED\tNot as described, the material is different
NOT_AS_DESCRIBED\tItem is not as described in the listing
NOT_AS_DESCRIBED\tThe product does not match the description
NOT_AS_DESCRIBED\tColour does not match the photos
NOT_AS_DESCRIBED\tDifferent from the picture, looks cheaper
NOT_AS_DESCRIBED\tThe listing says wireless but it needs a cable
NOT_AS_DESCRIBED\tDescription says it fits a 15 inch laptop, it does not
NOT_AS_DESCRIBED\tThe photos show gold, mine is silver-coloured plastic
NOT_AS_DESCRIBED\tAdvertised battery life is 20 hours, it lasts 5 as specified nowhere
NOT_AS_DESCRIBED\tFake product, not the brand in the description
NOT_AS_DESCRIBED\tThe description lists accessories that are not included
NOT_AS_DESCRIBED\tThe material is wool blend, not pure wool as described
NOT_AS_DESCRIBED\tIt looks different from the images online
NOT_AS_DESCRIBED\tFalse advertising, the features do not exist
NOT_AS_DESCRIBED\tThe listing photos are misleading
NOT_AS_DESCRIBED\tDescribed as new but it looks used
NOT_AS_DESCRIBED\tThe wattage is lower than stated in the description
NOT_AS_DESCRIBED\tThe colour shown online is brighter than the real one
NOT_AS_DESCRIBED\tIt says organic on the page, the label says otherwise
NOT_AS_DESCRIBED\tThe edition is different from the description
NOT_AS_DESCRIBED\t与描述不符
NOT_AS_DESCRIBED\t和图片不一样，颜色差很多
NOT_AS_DESCRIBED\t实物与描述不一致
NOT_AS_DESCRIBED\t跟商品图片不符，看起来很廉价
NOT_AS_DESCRIBED\t说是无线的，结果要插线
NOT_AS_DESCRIBED\t图片是金色，收到的是银色塑料
NOT_AS_DESCRIBED\t宣传续航20小时，实际只有5小时
NOT_AS_DESCRIBED\t描述里的配件没有
NOT_AS_DESCRIBED\t说是纯羊毛，实际是混纺
NOT_AS_DESCRIBED\t和网上图片差别很大
NOT_AS_DESCRIBED\t虚假宣传，功能都没有
NOT_AS_DESCRIBED\t说是全新的，看着像二手
NOT_AS_DESCRIBED\t功率比描述的低
NOT_AS_DESCRIBED\t网页写有机，标签不是
NOT_AS_DESCRIBED\t版本和描述的不一样
WRONG_ITEM\tWrong item received
WRONG_ITEM\tYou sent the wrong colour
WRONG_ITEM\tI received the wrong size, not what I ordered
WRONG_ITEM\tReceived a different item than ordered
WRONG_ITEM\tWrong product in the box
WRONG_ITEM\tI ordered a red one and got a blue one
WRONG_ITEM\tSent me the wrong model of the charger
WRONG_ITEM\tThe order contained the wrong book
WRONG_ITEM\tI got size 44 instead of 42 that I ordered
WRONG_ITEM\tReceived someone else's package with a different product
WRONG_ITEM\tWrong version shipped, ordered the 256GB got 128GB
WRONG_ITEM\tYou sent a different brand than the one I ordered
WRONG_ITEM\tThey sent me the wrong variant
WRONG_ITEM\tGot the wrong item, this is a lamp not a fan
WRONG_ITEM\tThe shoes sent are a different style than ordered
WRONG_ITEM\tItem received is not the one in my order
WRONG_ITEM\tShipped the wrong quantity and wrong colour
WRONG_ITEM\tWrong refill cartridges sent for my printer model
WRONG_ITEM\tI ordered grey and received beige
WRONG_ITEM\tOrdered the kids size and got the adult size
WRONG_ITEM\t发错货了
WRONG_ITEM\t颜色发错了
WRONG_ITEM\t尺码发错了，不是我拍的
WRONG_ITEM\t收到的不是我买的东西
WRONG_ITEM\t箱子里是别的商品
WRONG_ITEM\t买的红色，收到蓝色
WRONG_ITEM\t充电器型号发错了
WRONG_ITEM\t我拍的42码，发来44码
WRONG_ITEM\t收到别人的包裹
WRONG_ITEM\t我买的256G，发的128G
WRONG_ITEM\t发了别的品牌
WRONG_ITEM\t款式发错了，和订单不一样
WRONG_ITEM\t买的灰色发来米色
WRONG_ITEM\t买的童装发成了成人款
WRONG_ITEM\t墨盒型号发错，用不了
LATE_DELIVERY\tDelivery was late
LATE_DELIVERY\tLate delivery, arrived days after the promised date
LATE_DELIVERY\tThe shipment was delayed
LATE_DELIVERY\tTook too long to arrive
LATE_DELIVERY\tIt arrived too late for the trip
LATE_DELIVERY\tThe package was delayed by the courier for a week
LATE_DELIVERY\tOrder took three weeks to ship
LATE_DELIVERY\tNot delivered on time
LATE_DELIVERY\tDelivery delayed again and again
LATE_DELIVERY\tI waited twenty days for delivery
LATE_DELIVERY\tIt missed the delivery date by a week
LATE_DELIVERY\tThe seller took too long to dispatch
LATE_DELIVERY\tArrived late, no longer useful for the party
LATE_DELIVERY\tVery slow delivery, weeks of waiting
LATE_DELIVERY\tThe courier delayed delivery several times
LATE_DELIVERY\tDelivery was postponed past the deadline
LATE_DELIVERY\tStandard shipping took over a month
LATE_DELIVERY\tThe tracking said delayed for ten days
LATE_DELIVERY\tLate arrival, the school term had already started
LATE_DELIVERY\tIt came late and I had to buy a replacement locally
LATE_DELIVERY\t送货太慢了
LATE_DELIVERY\t到货太晚，比承诺晚了好几天
LATE_DELIVERY\t物流延误
LATE_DELIVERY\t等了太久才到
LATE_DELIVERY\t出行前没送到，晚了
LATE_DELIVERY\t快递延误一周
LATE_DELIVERY\t三周才发货
LATE_DELIVERY\t没有按时送达
LATE_DELIVERY\t一再延迟配送
LATE_DELIVERY\t等了二十天才收到
LATE_DELIVERY\t比预计送达时间晚了一周
LATE_DELIVERY\t卖家发货太慢
LATE_DELIVERY\t派对结束了才送到
LATE_DELIVERY\t物流显示延误十天
LATE_DELIVERY\t开学了才到货，太晚了
CHANGED_MIND\tDon't need it anymore
CHANGED_MIND\tI changed my mind
CHANGED_MIND\tNo longer required
CHANGED_MIND\tBought the wrong thing by mistake, nothing wrong with the product
CHANGED_MIND\tI found a cheaper price elsewhere
CHANGED_MIND\tJust don't want it
CHANGED_MIND\tOrdered it twice by mistake
CHANGED_MIND\tI don't like how it looks on me, product is fine
CHANGED_MIND\tDecided not to keep it
CHANGED_MIND\tUnwanted gift
CHANGED_MIND\tChanged my mind about the colour
CHANGED_MIND\tRealised I don't need it
CHANGED_MIND\tUnused and unopened, simply changed my mind
CHANGED_MIND\tBought a different one instead
CHANGED_MIND\tI want to return it, no reason
CHANGED_MIND\tThe project was cancelled so I don't need it
CHANGED_MIND\tFound a better deal in another shop
CHANGED_MIND\tOrdered more than I needed
CHANGED_MIND\tI accidentally ordered this
CHANGED_MIND\tNo longer interested
CHANGED_MIND\t不要了
CHANGED_MIND\t不需要了
CHANGED_MIND\t改变主意了
CHANGED_MIND\t买错了，商品没问题
CHANGED_MIND\t别的地方更便宜
CHANGED_MIND\t就是不想要了
CHANGED_MIND\t不小心下了两单
CHANGED_MIND\t穿着不好看，商品没问题
CHANGED_MIND\t决定不留了
CHANGED_MIND\t礼物不需要了
CHANGED_MIND\t全新未拆封，不想要了
CHANGED_MIND\t已经买了别的
CHANGED_MIND\t无理由退货
CHANGED_MIND\t买多了，退掉多余的
CHANGED_MIND\t误拍了，申请退款
QUALITY\tPoor quality
QUALITY\tBad quality for the price
QUALITY\tThe quality is terrible, feels cheap
QUALITY\tLow quality fabric, pills easily
QUALITY\tThe material feels rough and cheap
QUALITY\tFell apart after a few uses
QUALITY\tSeams split after the first wear
QUALITY\tColour bleeds in the wash
QUALITY\tFlimsy construction, bends easily
QUALITY\tBad stitching and loose threads
QUALITY\tIt smells strongly of chemicals
QUALITY\tSurface scratches very easily, poor finish
QUALITY\tThe coating peeled off within a week
QUALITY\tThe strap wore out after a month
QUALITY\tCheaply made, not durable
QUALITY\tThe wood splinters, poor workmanship
QUALITY\tFabric is scratchy and thin
QUALITY\tThe shoes creased and cracked quickly
QUALITY\tNot durable at all, wore out fast
QUALITY\tQuality control is poor, uneven colour
QUALITY\t质量差
QUALITY\t质量不好，很廉价
QUALITY\t做工太差
QUALITY\t面料起球严重
QUALITY\t材质粗糙，手感差
QUALITY\t用几次就散架了
QUALITY\t穿一次就开线了
QUALITY\t洗的时候掉色染到别的衣服
QUALITY\t做工粗糙，线头多
QUALITY\t味道很大，有甲醛味
QUALITY\t表面很容易刮花
QUALITY\t涂层一周就掉了
QUALITY\t不耐用，很快就磨坏了
QUALITY\t面料扎人，还很薄
QUALITY\t品控差，颜色不均匀
OTHER\tI have a question about my invoice
OTHER\tPlease call me back about my account
OTHER\tThe discount was not applied
OTHER\tRefund went to the wrong payment method
OTHER\tI want to change my email address
OTHER\tCan I get a copy of the receipt?
OTHER\tYour app crashes when I open my orders
OTHER\tI did not receive the confirmation email
OTHER\tHow long does the warranty last?
OTHER\tI want to speak to a manager
OTHER\tCan you add gift wrapping to my next order?
OTHER\tMy password reset link does not arrive
OTHER\tI want to unsubscribe from the newsletter
OTHER\tThe price in the cart was different from the product page
OTHER\tI need a company invoice
OTHER\tDo you ship to Norway?
OTHER\tPoints from my last purchase are missing
OTHER\tThe voucher expired too early
OTHER\tThe agent promised a callback that never came
OTHER\tGeneral feedback: great shop, keep it up
OTHER\t发票什么时候开
OTHER\t请回电话，账户有问题
OTHER\t折扣没有减
OTHER\t退款退到了错误的支付方式
OTHER\t想修改邮箱
OTHER\t能给我一份收据吗
OTHER\t应用打开订单页面就闪退
OTHER\t没收到确认邮件
OTHER\t保修期多久
OTHER\t我要投诉，找你们主管
OTHER\t下次订单能加礼品包装吗
OTHER\t收不到重置密码的短信
OTHER\t购物车价格和商品页不一样
OTHER\t能寄到挪威吗
OTHER\t代金券提前过期了
"""
}
